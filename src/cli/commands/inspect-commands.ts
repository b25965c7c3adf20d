import type { Command } from 'commander';
import { addUsage, isTerminalRun, userError, ZERO_USAGE } from '../../domain/index.js';
import type { RunRecord, Usage } from '../../domain/index.js';
import type { Engine } from '../../engine/index.js';
import { readTranscript } from '../../engine/index.js';
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
        const store = await engine.store();
        const tasks = await store.listTasks(run.id);
        const attempts = await store.listAttempts(run.id);
        const questions = await engine.openQuestions(run.id);
        const usageByTask = new Map<string, Usage>();
        for (const attempt of attempts) {
          if (attempt.usage)
            usageByTask.set(
              attempt.taskId,
              addUsage(usageByTask.get(attempt.taskId) ?? ZERO_USAGE, attempt.usage),
            );
        }
        const usage = [...usageByTask.values()].reduce(addUsage, ZERO_USAGE);
        if (opts.json) {
          const { plan: _plan, ...rest } = run;
          const withUsage = tasks.map((t) => ({ ...t, usage: usageByTask.get(t.taskId) ?? ZERO_USAGE }));
          output.out(
            JSON.stringify(
              { run: rest, tasks: withUsage, attempts, usage, openQuestions: questions },
              null,
              2,
            ) + '\n',
          );
          return EXIT.ok;
        }
        const lastError = (taskId: string) =>
          attempts.filter((a) => a.taskId === taskId && a.error).at(-1)?.error;
        const failing = tasks
          .filter((t) => t.status !== 'passed' && lastError(t.taskId))
          .map((t) => `  ${t.taskId}: last attempt failed: ${(lastError(t.taskId) ?? '').split('\n')[0]}`);
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
        const store = await engine.store();
        if (opts.task && !run.plan.tasks.some((t) => t.id === opts.task)) {
          throw userError(
            'GAFFER_BAD_INPUT',
            `run ${run.id} has no task "${opts.task}"`,
            `tasks: ${run.plan.tasks.map((t) => t.id).join(', ')}`,
          );
        }
        let lastId = 0;
        const printNew = async () => {
          const events = await store.readEvents({
            runId: run.id,
            afterId: lastId,
            ...(opts.task ? { taskId: opts.task } : {}),
          });
          for (const event of events) {
            lastId = event.id;
            output.out(eventLine(output, event) + '\n');
          }
        };
        await printNew();
        if (opts.task && !opts.follow) {
          for (const attempt of await store.listAttempts(run.id, opts.task)) {
            output.out(
              `\n${paint(output, 'bold', `── attempt ${attempt.number} (${attempt.kind}, ${attempt.status}) ──`)}\n`,
            );
            for (const line of await readTranscript(attempt.transcriptPath ?? '')) {
              output.out(`${line.at.slice(11, 19)}  ${JSON.stringify(line.event)}\n`);
            }
          }
        }
        while (opts.follow) {
          await new Promise((r) => setTimeout(r, 300));
          await printNew();
          const current = await store.getRun(run.id);
          if (!current || isTerminalRun(current.status) || current.status === 'paused') {
            await printNew();
            break;
          }
        }
        return EXIT.ok;
      }),
    );
}
