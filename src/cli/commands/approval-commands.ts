import type { Command } from 'commander';
import type { Approval, DecisionResult, Engine } from '../../engine/index.js';
import { isTerminalRun } from '../../domain/index.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor, isNoStoreError } from '../workspace.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

/** `gaffer approvals`, `approve`, `deny`: the results that wait for a person, and the decisions. */
export function registerApprovalCommands(program: Command, output: Output, act: Act): void {
  program
    .command('approvals')
    .description('list the results that wait for your approval (of one run, or of every run not ended)')
    .argument('[run]', 'the run (default: every run not ended)')
    .option('--all', 'also list the decided ones (and, with no run named, those of ended runs)')
    .option('--json', 'print them as a JSON array')
    .action((runId: string | undefined, opts: { all?: boolean; json?: boolean }) =>
      act(async (global) => {
        const engine = engineFor(global, { readOnly: true });
        let approvals: Approval[];
        try {
          approvals = await approvalsOf(engine, runId, opts.all === true);
        } catch (error) {
          if (!isNoStoreError(error)) throw error;
          approvals = [];
        } finally {
          await engine.close();
        }
        const shown = opts.all ? approvals : approvals.filter((a) => a.open);
        if (opts.json) output.out(JSON.stringify(shown, null, 2) + '\n');
        else output.out(approvalLines(output, shown, opts.all === true).join('\n') + '\n');
        return EXIT.ok;
      }),
    );

  program
    .command('approve')
    .description('approve a waiting result: it merges (ids are listed by gaffer approvals)')
    .argument('<id>', 'the approval id, or the task id when only one result of it waits')
    .option('--run <run>', 'look for the task in this run')
    .action((id: string, opts: { run?: string }) =>
      act(async (global) => {
        const engine = engineFor(global);
        try {
          const result = await engine.decide({ id, decision: 'approved', ...runOf(opts) });
          output.out(decisionLine(result, 'approved', 'it merges') + '\n');
        } finally {
          await engine.close();
        }
        return EXIT.ok;
      }),
    );

  program
    .command('deny')
    .description('deny a waiting result: the task goes back for rework, told your reason')
    .argument('<id>', 'the approval id, or the task id when only one result of it waits')
    .requiredOption('--reason <text>', 'what to change (the agent is told)')
    .option('--run <run>', 'look for the task in this run')
    .action((id: string, opts: { reason: string; run?: string }) =>
      act(async (global) => {
        const engine = engineFor(global);
        try {
          const result = await engine.decide({ id, decision: 'denied', reason: opts.reason, ...runOf(opts) });
          output.out(
            decisionLine(
              result,
              'denied',
              result.approval.kind === 'final' ? 'the run ends failed' : 'the task goes back for rework',
            ) + '\n',
          );
        } finally {
          await engine.close();
        }
        return EXIT.ok;
      }),
    );
}

const runOf = (opts: { run?: string }) => (opts.run === undefined ? {} : { runId: opts.run });

async function approvalsOf(engine: Engine, runId: string | undefined, all: boolean): Promise<Approval[]> {
  if (runId !== undefined) return engine.approvals(runId);
  const runs = (await engine.listRuns()).filter((r) => all || !isTerminalRun(r.status));
  return (await Promise.all(runs.map((r) => engine.approvals(r.id)))).flat();
}

function decisionLine(result: DecisionResult, done: string, then: string): string {
  const { approval, run, driven } = result;
  const next = driven
    ? `run ${run.id} is running: ${then} now`
    : `${then} when the run continues: gaffer resume ${run.id}`;
  return `${done} ${approval.approvalId} (${subjectOf(approval)}); ${next}`;
}

/** What an approval is about, in words. */
const subjectOf = (approval: Approval) =>
  approval.kind === 'final'
    ? `the final review of run ${approval.runId}`
    : `task ${approval.taskId}, attempt ${approval.attempt}`;

function approvalLines(output: Output, approvals: readonly Approval[], all: boolean): string[] {
  if (approvals.length === 0) return [all ? 'no approvals asked yet' : 'nothing waits for approval'];
  const lines = approvals.map((a) => {
    const state = a.decision
      ? `${a.decision.decision} by ${a.decision.by}${a.decision.reason ? `: ${a.decision.reason}` : ''}`
      : a.open
        ? paint(output, 'yellow', 'waiting')
        : 'no longer waiting';
    return [
      `${paint(output, 'bold', a.approvalId)}  ${a.kind === 'final' ? `the final review of run ${a.runId}` : `task ${a.taskId} (run ${a.runId}), attempt ${a.attempt}`}: ${state}`,
      `  ${a.kind === 'final' ? 'criteria met' : a.confidence}, score ${a.score.toFixed(2)}: ${a.why}`,
    ].join('\n');
  });
  const open = approvals.filter((a) => a.open);
  return open.length === 0
    ? lines
    : [
        ...lines,
        '',
        `approve with: gaffer approve <id>   deny with: gaffer deny <id> --reason "what to change"`,
      ];
}
