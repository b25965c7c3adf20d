import type { Command } from 'commander';
import type { RunRecord, StoredEvent } from '../../domain/index.js';
import { userError } from '../../domain/index.js';
import type { AttemptView, Engine } from '../../engine/index.js';
import { attemptOutcome, withNext } from '../attempt-outcome.js';
import { checkLines } from '../check-lines.js';
import { EXIT } from '../exit-codes.js';
import { eventLine } from '../follow-run.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import { pickRun } from '../pick-run.js';
import { transcriptLine } from '../transcript-lines.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor } from '../workspace.js';
import { reviewLines } from './status-command.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

interface LogsOptions {
  task?: string;
  follow?: boolean;
  json?: boolean;
}

/** `gaffer logs`: a run's events; with `--task`, each attempt's transcript and checks too. */
export function registerLogsCommand(program: Command, output: Output, act: Act): void {
  program
    .command('logs')
    .description(
      "print a run's events (default: the newest run); with --task also each attempt's transcript and checks",
    )
    .argument('[run]', 'run id')
    .option('--task <id>', 'only this task, with its attempts’ transcripts and checks')
    .option('-f, --follow', 'keep printing new events until the run stops')
    .option(
      '--json',
      'one JSON object per line: the events, then with --task each attempt ({"attempt": …}) and its raw transcript records ({"attemptId", "at", "event"})',
    )
    .action((runId: string | undefined, opts: LogsOptions) =>
      act(async (global) => {
        const engine = engineFor(global, { readOnly: true });
        try {
          const run = await pickRun(engine, runId);
          assertTask(run, opts.task);
          const events: StoredEvent[] = [];
          const taskOnly = opts.task ? { taskId: opts.task } : {};
          for await (const event of engine.tailEvents(run.id, {
            ...taskOnly,
            follow: Boolean(opts.follow),
          })) {
            events.push(event);
            output.out((opts.json ? JSON.stringify(event) : eventLine(output, event)) + '\n');
          }
          if (opts.task && !opts.follow) await printAttempts(engine, output, run.id, opts.task, events, opts);
          return EXIT.ok;
        } finally {
          await engine.close();
        }
      }),
    );
}

function assertTask(run: RunRecord, taskId: string | undefined): void {
  if (taskId === undefined || run.plan.tasks.some((t) => t.id === taskId)) return;
  throw userError(
    'GAFFER_BAD_INPUT',
    `run ${run.id} has no task "${taskId}"`,
    `tasks: ${run.plan.tasks.map((t) => t.id).join(', ')}`,
  );
}

/** Lines of each check's output `logs --task` shows: a failed check's whole useful tail, a passed one's end. */
const FAILED_TAIL = 40;
const PASSED_TAIL = 3;

async function printAttempts(
  engine: Engine,
  output: Output,
  runId: string,
  taskId: string,
  events: readonly StoredEvent[],
  opts: LogsOptions,
): Promise<void> {
  const conflicted = new Set(events.filter((e) => e.type === 'merge.conflicted').map((e) => e.attemptId));
  for (const [attempt, next] of withNext(await engine.attempts(runId, taskId))) {
    const outcome = attemptOutcome(attempt, next, conflicted.has(attempt.id));
    const transcript = await engine.transcript(attempt);
    if (opts.json) {
      output.out(JSON.stringify({ attempt: { ...attempt, outcome: outcome.label } }) + '\n');
      for (const line of transcript) output.out(JSON.stringify({ attemptId: attempt.id, ...line }) + '\n');
      continue;
    }
    output.out(
      `\n${paint(output, 'bold', attemptTitle(attempt))} ${paint(output, outcome.color, outcome.label)}\n`,
    );
    if (attempt.feedback)
      output.out(paint(output, 'gray', `told to fix: ${attempt.feedback.split('\n')[0]}\n`));
    for (const line of transcript) output.out(transcriptLine(output, line) + '\n');
    if (transcript.length === 0) output.out(paint(output, 'gray', '(no transcript)\n'));
    if (attempt.evaluation) {
      output.out(paint(output, 'bold', 'checks:') + '\n');
      const lines = checkLines(output, attempt.evaluation.results, {
        failedTail: FAILED_TAIL,
        passedTail: PASSED_TAIL,
        indent: '  ',
      });
      output.out(lines.join('\n') + '\n');
    }
    if (attempt.evaluation?.review) {
      output.out(paint(output, 'bold', 'review:') + '\n');
      output.out(
        reviewLines(output, attempt.evaluation.review, { indent: '  ', full: true }).join('\n') + '\n',
      );
    }
  }
}

const attemptTitle = (attempt: AttemptView) =>
  `── attempt ${attempt.number} (${attempt.kind}, ${attempt.agent}) ──`;
