import type { Command } from 'commander';
import { userError } from '../../domain/index.js';
import type { RunRecord, Usage } from '../../domain/index.js';
import type { Engine } from '../../engine/index.js';
import { eventLine } from '../follow-run.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import { renderTaskTable } from '../task-table.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor } from '../workspace.js';
import { EXIT } from '../exit-codes.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

async function pickRun(engine: Engine, runId: string | undefined): Promise<RunRecord> {
  if (runId) return engine.getRun(runId);
  const latest = await engine.latestRun();
  if (!latest)
    throw userError(
      'GAFFER_RUN_NOT_FOUND',
      'there are no runs in this workspace yet',
      'start one with `gaffer run plan.yaml`',
    );
  return latest;
}

/** `gaffer status` and `gaffer logs`: reading what runs did. */
export function registerInspectCommands(program: Command, output: Output, act: Act): void {
  program
    .command('status')
    .description('show a run (default: the newest), its tasks, usage and open questions')
    .argument('[run]', 'run id')
    .option('--json', 'print the run, its tasks, attempts, usage and open questions as JSON')
    .action((runId: string | undefined, opts: { json?: boolean }) =>
      act(async (global) => {
        const engine = engineFor(global);
        const run = await pickRun(engine, runId);
        const view = await engine.runView(run.id);
        const { tasks, attempts, usage, openQuestions: questions } = view;
        const usageByTask = new Map<string, Usage>(tasks.map((t) => [t.taskId, t.usage]));
        if (opts.json) {
          const { plan: _plan, ...rest } = view.run;
          const withUsage = tasks.map(({ title: _title, agent: _agent, lastError: _lastError, ...t }) => t);
          output.out(
            JSON.stringify(
              {
                run: rest,
                tasks: withUsage,
                attempts: attempts.map(({ evaluation: _e, ...a }) => a),
                usage,
                openQuestions: questions,
              },
              null,
              2,
            ) + '\n',
          );
          return EXIT.ok;
        }
        const failing = tasks
          .filter((t) => t.status !== 'passed' && t.lastError)
          .map((t) => `  ${t.taskId}: last attempt failed: ${(t.lastError ?? '').split('\n')[0]}`);
        output.out(
          [
            `${paint(output, 'bold', `run ${run.id}`)}  ${run.status}${run.reason ? ` — ${run.reason.split('\n')[0]}` : ''}`,
            `plan ${run.planPath}`,
            `${run.baseBranch} → ${run.integrationBranch}   concurrency ${run.options.concurrency}${run.options.keepGoing ? '   keep-going' : ''}`,
            '',
            ...renderTaskTable(output, tasks, Date.now(), usageByTask),
            '',
            `${attempts.length} attempts, ${usage.inputTokens} input (${usage.cachedInputTokens} cached) / ${usage.outputTokens} output tokens, $${usage.costUsd.toFixed(4)}`,
            ...failing,
            ...(questions.length
              ? [
                  '',
                  paint(
                    output,
                    'yellow',
                    `${questions.length} question${questions.length > 1 ? 's' : ''} waiting for an answer:`,
                  ),
                  ...questions.map((q) => `  [${q.questionId}] ${q.taskId}: ${q.question}`),
                  `  answer with: gaffer answer <question-id> "your answer"`,
                ]
              : []),
          ].join('\n') + '\n',
        );
        return EXIT.ok;
      }),
    );

  program
    .command('answer')
    .description("answer an agent's question (ids are listed by gaffer status)")
    .argument('<question-id>', 'the question id')
    .argument('<answer...>', 'your answer')
    .action((questionId: string, answer: string[]) =>
      act(async (global) => {
        await engineFor(global).answerQuestion(questionId, answer.join(' '));
        output.out(`answered ${questionId}; the agent continues\n`);
        return EXIT.ok;
      }),
    );

  program
    .command('logs')
    .description("print a run's events (default: the newest run); with --task also its agent transcripts")
    .argument('[run]', 'run id')
    .option('--task <id>', 'only this task, with its attempts’ transcripts')
    .option('-f, --follow', 'keep printing new events until the run stops')
    .action((runId: string | undefined, opts: { task?: string; follow?: boolean }) =>
      act(async (global) => {
        const engine = engineFor(global);
        const run = await pickRun(engine, runId);
        if (opts.task && !run.plan.tasks.some((t) => t.id === opts.task)) {
          throw userError(
            'GAFFER_BAD_INPUT',
            `run ${run.id} has no task "${opts.task}"`,
            `tasks: ${run.plan.tasks.map((t) => t.id).join(', ')}`,
          );
        }
        const taskOnly = opts.task ? { taskId: opts.task } : {};
        for await (const event of engine.tailEvents(run.id, { ...taskOnly, follow: Boolean(opts.follow) })) {
          output.out(eventLine(output, event) + '\n');
        }
        if (opts.task && !opts.follow) {
          for (const attempt of await engine.attempts(run.id, opts.task)) {
            output.out(
              `\n${paint(output, 'bold', `── attempt ${attempt.number} (${attempt.kind}, ${attempt.status}) ──`)}\n`,
            );
            for (const line of await engine.transcript(attempt)) {
              output.out(`${line.at.slice(11, 19)}  ${JSON.stringify(line.event)}\n`);
            }
          }
        }
        return EXIT.ok;
      }),
    );
}
