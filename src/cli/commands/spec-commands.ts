import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { PhaseOutcome, SpecRunResult, SpecStatus, SpecTrace } from '../../engine/spec/index.js';
import {
  approvePhase,
  describeChange,
  estimateTokens,
  listSpecs,
  newSpec,
  parsePhase,
  runSpec,
  specStatusAt,
  specTraceAt,
} from '../../engine/spec/index.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import { gafferVersion } from '../version.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor, isNoStoreError, workDir } from '../workspace.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

interface RunFlags {
  quick?: boolean;
  phase?: string;
  fromPhase?: string;
  dryRun?: boolean;
  timeout?: number;
  force?: boolean;
  overwrite?: boolean;
  agent?: string;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return n;
}

/** `gaffer spec …`: from a feature description to requirements, design and a plan, each with a receipt. */
export function registerSpecCommands(program: Command, output: Output, act: Act): void {
  const spec = program
    .command('spec')
    .description('turn a feature description into requirements, a design and a plan (.gaffer/specs/<id>/)');

  spec
    .command('new')
    .description('start a spec from a feature description')
    .argument('<id>', 'the spec id: lower-case letters, digits and dashes')
    .option('--from <file>', 'a markdown file describing the feature')
    .option('--text <text>', 'the feature description itself')
    .action((id: string, opts: { from?: string; text?: string }) =>
      act(async (global) => {
        const dir = await newSpec({ cwd: workDir(global), id, ...opts });
        output.out(
          `spec ${id}: ${dir}\n  set the backend in ${dir}/spec.yaml, then: gaffer spec run ${id}\n`,
        );
        return EXIT.ok;
      }),
    );

  const withRunFlags = (command: Command) =>
    command
      .option('--dry-run', 'print the prompts, inputs and estimated tokens; call no model, write nothing')
      .option('--timeout <seconds>', "each phase's time limit (default: spec.yaml's timeout_s)", seconds)
      .option('--force', 'take over a stale lock (a dead process, or another host older than the limit)')
      .option('--agent <name>', "the backend that answers (default: spec.yaml's agent, else api)");

  withRunFlags(
    spec
      .command('run')
      .description('run the next phases in order (requirements → design → tasks), stopping at a gate')
      .argument('<id>', 'the spec id')
      .option('--phase <phase>', 'run only this phase: requirements, design or tasks')
      .option('--from-phase <phase>', 'run this phase and every one after it again')
      .option('--quick', 'a small change: requirements and tasks in one answer, no design')
      .option(
        '--overwrite',
        'write again artifacts edited by hand that this run would replace (your version goes to history/)',
      ),
  ).action((id: string, opts: RunFlags) =>
    act(async (global) =>
      interruptible(output, async (signal) => {
        const result = await runSpec({
          cwd: workDir(global),
          id,
          ...(opts.quick ? { quick: true } : {}),
          ...(opts.phase ? { phase: parsePhase(opts.phase) } : {}),
          ...(opts.fromPhase ? { fromPhase: parsePhase(opts.fromPhase) } : {}),
          ...(opts.overwrite ? { overwrite: true } : {}),
          ...commonRequest(opts),
          signal,
          onPhaseStart: (phase) =>
            !opts.dryRun &&
            output.out(
              `${opts.quick ? 'requirements + tasks (--quick)' : phase}: asking ${opts.agent ?? 'the spec backend'}…\n`,
            ),
        });
        return showRun(output, result);
      }),
    ),
  );

  withRunFlags(
    spec
      .command('revise')
      .description('run a phase again with your feedback and its previous output in the prompt')
      .argument('<id>', 'the spec id')
      .argument('<phase>', 'requirements, design or tasks')
      .requiredOption('--feedback <text>', 'what to change'),
  ).action((id: string, phase: string, opts: RunFlags & { feedback: string }) =>
    act(async (global) =>
      interruptible(output, async (signal) => {
        const result = await runSpec({
          cwd: workDir(global),
          id,
          phase: parsePhase(phase),
          feedback: opts.feedback,
          ...commonRequest(opts),
          signal,
        });
        return showRun(output, result);
      }),
    ),
  );

  spec
    .command('status')
    .description("each phase's state (missing, done, stale with why, failed), approvals and coverage gaps")
    .argument('<id>', 'the spec id')
    .option('--json', 'print the status as JSON')
    .action((id: string, opts: { json?: boolean }) =>
      act(async (global) => {
        const status = await specStatusAt(workDir(global), id);
        output.out(
          opts.json ? JSON.stringify(status, null, 2) + '\n' : statusLines(output, status).join('\n') + '\n',
        );
        return EXIT.ok;
      }),
    );

  spec
    .command('approve')
    .description("approve a phase's artifact as it is now (a later change needs approving again)")
    .argument('<id>', 'the spec id')
    .argument('<phase>', 'requirements, design or tasks')
    .option('--force', 'take over a stale lock')
    .action((id: string, phase: string, opts: { force?: boolean }) =>
      act(async (global) => {
        const approved = await approvePhase(workDir(global), id, parsePhase(phase), {
          force: Boolean(opts.force),
        });
        output.out(`approved ${phase} of spec ${id} (sha256 ${approved.sha256.slice(0, 12)})\n`);
        return EXIT.ok;
      }),
    );

  spec
    .command('trace')
    .description(
      'requirement → acceptance criteria → tasks → (after `gaffer run --spec`) their status, merge and evaluation',
    )
    .argument('<id>', 'the spec id')
    .option('--json', 'print the trace as JSON')
    .action((id: string, opts: { json?: boolean }) =>
      act(async (global) => {
        const engine = engineFor(global, { readOnly: true });
        try {
          const trace = await specTraceAt(workDir(global), id, {
            listRuns: async () => {
              try {
                return await engine.listRuns();
              } catch (error) {
                if (isNoStoreError(error)) return [];
                throw error;
              }
            },
            getRun: (runId) => engine.getRun(runId),
            runView: (runId) => engine.runView(runId),
          });
          output.out(
            opts.json ? JSON.stringify(trace, null, 2) + '\n' : traceLines(output, trace).join('\n') + '\n',
          );
        } finally {
          await engine.close();
        }
        return EXIT.ok;
      }),
    );

  spec
    .command('list')
    .description('every spec of this repository and its phases')
    .option('--json', 'print the specs as JSON')
    .action((opts: { json?: boolean }) =>
      act(async (global) => {
        const specs = await listSpecs(workDir(global));
        if (opts.json) output.out(JSON.stringify(specs, null, 2) + '\n');
        else if (specs.length === 0)
          output.out('no specs yet; start one with `gaffer spec new <id> --from feature.md`\n');
        else
          for (const s of specs)
            output.out(
              'error' in s
                ? // One line per spec: a YAML error's code frame is for `gaffer spec status <id>`.
                  `${s.id.padEnd(24)} ${paint(output, 'red', 'error')}: ${s.error.split('\n')[0]}${s.hint ? ` (hint: ${s.hint})` : ''}\n`
                : `${s.id.padEnd(24)} ${s.lock?.state === 'running' ? 'running; ' : ''}${s.phases.map((p) => `${p.phase} ${p.state}${p.approved ? ' ✓' : ''}`).join(', ')}\n`,
            );
        return EXIT.ok;
      }),
    );
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs a spec command with Ctrl-C, a closed terminal or a polite kill wired to `signal`: the first
 * stops the phase cleanly (its receipt and `.partial` written, the lock released) and the command
 * exits non-zero; a second exits at once, leaving a stale lock for `--force`.
 */
async function interruptible(output: Output, run: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    const name = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    output.err(`\nstopping… (${name} again to exit now)\n`);
    controller.abort(`interrupted by ${name}`);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    const code = await run(controller.signal);
    if (!controller.signal.aborted) return code;
    output.err(`stopped: ${String(controller.signal.reason)}; run the command again to go on\n`);
    return code === EXIT.ok ? EXIT.failed : code;
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
}

function commonRequest(opts: RunFlags) {
  return {
    gafferVersion: gafferVersion(),
    ...(opts.dryRun ? { dryRun: true } : {}),
    ...(opts.timeout === undefined ? {} : { timeoutS: opts.timeout }),
    ...(opts.force ? { force: true } : {}),
    ...(opts.agent ? { agent: opts.agent } : {}),
  };
}

/** What a spec run did, phase by phase; the exit code: 2 for an unusable answer, 1 for a failed session. */
function showRun(output: Output, result: SpecRunResult): number {
  for (const material of result.dry) {
    output.out(
      paint(
        output,
        'bold',
        `── ${material.phase} (template ${material.template.name} v${material.template.version}) ──`,
      ) + '\n',
    );
    for (const input of material.inputs)
      output.out(
        `  input ${input.name.padEnd(16)} ${input.sha256 ?? '(missing: written by an earlier phase)'}\n`,
      );
    output.out(
      `  estimated tokens: ${estimateTokens(material.prompt)} (prompt of ${material.prompt.length} characters)\n`,
    );
    output.out(`${material.prompt}\n`);
  }
  if (result.dry.length > 0) {
    output.out('dry run: no model was called and nothing was written\n');
    return EXIT.ok;
  }
  if (result.ran.length === 0 && !result.waiting) {
    output.out(`spec ${result.spec}: every phase is done; --from-phase <phase> runs one again\n`);
    return EXIT.ok;
  }
  for (const outcome of result.ran) output.out(outcomeLines(output, outcome).join('\n') + '\n');
  const retry = retryHint(result);
  if (retry) output.out(`  hint: ${retry}\n`);
  if (result.waiting)
    output.out(
      `${paint(output, 'yellow', 'waiting')}: ${result.waiting.reason}\n  next: ${result.waiting.hint}\n`,
    );
  const last = result.ran.at(-1)?.receipt.status;
  return last === undefined || last === 'ok' ? EXIT.ok : last === 'invalid' ? EXIT.badInput : EXIT.failed;
}

function outcomeLines(output: Output, outcome: PhaseOutcome): string[] {
  const r = outcome.receipt;
  const tokens = r.usage
    ? `${r.usage.inputTokens + r.usage.outputTokens} tokens, $${r.usage.costUsd.toFixed(4)}`
    : 'no usage reported';
  const head = `${r.phase}: ${r.status === 'ok' ? paint(output, 'green', 'ok') : paint(output, 'red', r.status)} after ${count(r.rounds, 'round', 'rounds')} (${tokens}, ${(r.durationMs / 1000).toFixed(1)}s)`;
  const lines = [head];
  if (outcome.written)
    lines.push(
      `  wrote ${outcome.written}${r.output ? ` (${r.output.chars} of at most ${r.output.maxChars} characters)` : ''}`,
    );
  if (outcome.kept) lines.push(`  the previous version is kept as ${outcome.kept}`);
  if (r.error) lines.push(`  ${r.error}`);
  for (const issue of r.issues.slice(0, 20)) lines.push(`  ${paint(output, 'red', 'error')}: ${issue}`);
  if (r.gaps && r.gaps.length > 0)
    lines.push(`  ${paint(output, 'yellow', 'coverage gap')}: no task covers ${r.gaps.join(', ')}`);
  lines.push(`  receipt ${outcome.receiptPath}`);
  return lines;
}

/**
 * What to do after a run that did not succeed, once for the run (a quick run has two receipts):
 * the command that runs it again. None when it was cancelled: `interruptible` says to go on.
 */
function retryHint(result: SpecRunResult): string | undefined {
  const last = result.ran.at(-1)?.receipt;
  if (!last || last.status === 'ok' || last.status === 'cancelled') return undefined;
  const again = last.quick
    ? `gaffer spec run ${result.spec} --quick`
    : `gaffer spec run ${result.spec} --phase ${last.phase}`;
  return `read the partial output, fix the cause, then run it again: \`${again}\``;
}

/** "1 user story", "2 user stories". */
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function statusLines(output: Output, status: SpecStatus): string[] {
  const lines = [paint(output, 'bold', `spec ${status.id}`)];
  const lock = status.lock;
  const who = lock?.holder
    ? `process ${lock.holder.pid} on ${lock.holder.host} since ${lock.holder.startedAt}`
    : 'a lock being written';
  if (lock?.state === 'running')
    lines.push(`  ${paint(output, 'yellow', 'running')}: ${who} is writing this spec`);
  if (lock?.state === 'stale')
    lines.push(
      `  ${paint(output, 'red', 'stale lock')}: ${who}: ${lock.reason ?? ''}; the next run takes it with --force`,
    );
  for (const p of status.phases) {
    const color = p.state === 'done' ? 'green' : p.state === 'stale' || p.state === 'failed' ? 'red' : 'gray';
    const gate = p.gate ? (p.approved ? 'approved' : p.state === 'done' ? 'needs approval' : '') : '';
    const r = p.lastReceipt;
    const receipt = r
      ? `last run ${r.number}${r.quick ? ' (--quick)' : ''}: ${r.status}, ${r.agent}${r.model ? ` ${r.model}` : ''}`
      : '';
    lines.push(
      `  ${p.phase.padEnd(13)} ${paint(output, color, p.state.padEnd(8))} ${p.artifact.padEnd(16)} ${[gate, receipt].filter(Boolean).join('; ')}`.trimEnd(),
    );
    if (p.phase === 'design' && p.state === 'missing' && status.quick)
      lines.push(
        `      skipped: the plan was written from the requirements alone (--quick); \`gaffer spec run ${status.id} --phase design\` writes a design, and the plan goes stale`,
      );
    // A quick run that failed leaves a spec that is not quick (isQuick): both ways work from here.
    if (p.phase === 'tasks' && p.state === 'failed' && r?.quick)
      lines.push(
        `      the --quick run did not succeed: \`gaffer spec run ${status.id} --quick\` tries again, \`gaffer spec run ${status.id}\` goes by way of a design`,
      );
    for (const change of p.changed) lines.push(`      stale: ${describeChange(change)}`);
    if (p.edited) lines.push(`      edited by hand since it was written (kept as it is)`);
    if (p.interrupted !== undefined)
      lines.push(
        `      run ${p.interrupted} was stopped before it finished (its process is gone)${p.state === 'done' ? `; ${p.artifact} is what it wrote` : ''}`,
      );
    if (p.partial) lines.push(`      ${p.artifact}.partial holds the output of a run that did not succeed`);
  }
  if (status.stories)
    lines.push(
      `  ${count(status.stories.length, 'user story', 'user stories')}, ${count(
        status.stories.reduce((n, s) => n + s.criteria.length, 0),
        'acceptance criterion',
        'acceptance criteria',
      )}`,
    );
  if (status.gaps && status.gaps.length > 0)
    lines.push(`  ${paint(output, 'yellow', 'coverage gap')}: no task covers ${status.gaps.join(', ')}`);
  return lines;
}

function traceLines(output: Output, trace: SpecTrace): string[] {
  const lines = [
    paint(output, 'bold', `spec ${trace.spec}`) +
      (trace.run
        ? ` — run ${trace.run.id} (${trace.run.status})`
        : ' — not run yet (`gaffer run --spec <id>`)'),
  ];
  if (trace.run?.planChanged)
    lines.push(
      `${paint(output, 'yellow', 'plan.yaml changed since')} that run: the tasks below are the ones it ran; \`gaffer run --spec ${trace.spec}\` runs the new plan`,
    );
  if (trace.stories.length === 0)
    lines.push('  no user stories yet (requirements.md is missing or reads none)');
  for (const story of trace.stories) {
    lines.push(`${story.id}: ${story.title}`);
    for (const criterion of story.criteria) {
      lines.push(`  ${criterion.id}: ${criterion.text}`);
      if (criterion.tasks.length === 0)
        lines.push(`    ${paint(output, 'yellow', 'gap')}: no task covers ${criterion.id}`);
      for (const task of criterion.tasks) {
        const parts = [task.status ?? (trace.run ? 'not in the run' : 'planned')];
        if (task.mergeCommit) parts.push(`merged ${task.mergeCommit.slice(0, 10)}`);
        if (task.evaluation) {
          parts.push(`${task.evaluation.confidence} ${task.evaluation.score.toFixed(2)}`);
          if (task.evaluation.verdict) parts.push(`reviewer: ${task.evaluation.verdict}`);
        }
        lines.push(`    → ${task.id} (${task.title}): ${parts.join(', ')}`);
      }
    }
  }
  if (trace.gaps.length > 0)
    lines.push(`${paint(output, 'yellow', 'coverage gap')}: no task covers ${trace.gaps.join(', ')}`);
  if (trace.uncovered.length > 0) lines.push(`tasks that cover no criterion: ${trace.uncovered.join(', ')}`);
  return lines;
}
