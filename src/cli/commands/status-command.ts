import type { Command } from 'commander';
import type { EvaluationReview, Usage } from '../../domain/index.js';
import type { AttemptView, RunView } from '../../engine/index.js';
import { taskActivities } from '../../engine/index.js';
import { attemptOutcome, withNext } from '../attempt-outcome.js';
import { budgetSection } from '../budget-lines.js';
import { checkLines } from '../check-lines.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import { pickRun } from '../pick-run.js';
import { renderTaskTable } from '../task-table.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor } from '../workspace.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

/** Lines of a failed check's output `status` shows; `logs --task` shows more. */
const STATUS_TAIL = 8;

/** `gaffer status`: a run, its tasks, every attempt with its checks, usage and open questions. */
export function registerStatusCommand(program: Command, output: Output, act: Act): void {
  program
    .command('status')
    .description(
      'show a run (default: the newest): its tasks, every attempt with its checks, usage, questions',
    )
    .argument('[run]', 'run id')
    .option(
      '--json',
      'print the run, its tasks, attempts with their checks, usage and open questions as JSON',
    )
    .action((runId: string | undefined, opts: { json?: boolean }) =>
      act(async (global) => {
        const engine = engineFor(global, { readOnly: true });
        try {
          const view = await engine.runView((await pickRun(engine, runId)).id);
          if (opts.json) output.out(JSON.stringify(statusJson(view), null, 2) + '\n');
          else output.out(statusText(output, view, await taskActivities(view)));
          return EXIT.ok;
        } finally {
          await engine.close();
        }
      }),
    );
}

/** Everything the view holds but the plan (which `gaffer plan check` shows); attempts carry their outcome. */
function statusJson(view: RunView) {
  const { plan: _plan, ...run } = view.run;
  return {
    run,
    driven: view.driven,
    liveness: view.liveness,
    tasks: view.tasks,
    attempts: withNext(view.attempts).map(([attempt, next]) => ({
      ...attempt,
      outcome: attemptOutcome(attempt, next).label,
    })),
    usage: view.usage,
    budget: view.budget,
    finalReview: view.finalReview,
    knowledge: view.knowledge,
    openQuestions: view.openQuestions,
    openApprovals: view.openApprovals,
  };
}

function statusText(output: Output, view: RunView, notes: ReadonlyMap<string, string>): string {
  const { run, tasks, attempts, usage, openQuestions: questions } = view;
  const usageByTask = new Map<string, Usage>(tasks.map((t) => [t.taskId, t.usage]));
  const reason = run.reason ? ` — ${run.reason.split('\n')[0]}` : '';
  return (
    [
      `${paint(output, 'bold', `run ${run.id}`)}  ${
        view.liveness === 'owner-gone'
          ? `interrupted (owner gone) — continue with gaffer resume ${run.id}`
          : `${run.status}${reason}`
      }`,
      `plan ${run.planPath}`,
      `${run.baseBranch} → ${run.integrationBranch}   concurrency ${run.options.concurrency}${run.options.keepGoing ? '   keep-going' : ''}`,
      '',
      ...renderTaskTable(output, tasks, Date.now(), usageByTask, notes),
      '',
      `${attempts.length} attempts, ${usage.inputTokens} input (${usage.cachedInputTokens} cached) / ${usage.outputTokens} output tokens, $${usage.costUsd.toFixed(4)}`,
      ...attemptSection(
        output,
        attempts,
        STATUS_TAIL,
        tasks.map((t) => t.taskId),
      ),
      ...budgetSection(output, view.budget, run.id),
      ...finalReviewSection(output, view.finalReview),
      ...questionSection(output, questions),
      ...approvalSection(output, view.openApprovals),
    ].join('\n') + '\n'
  );
}

/** Each attempt, task by task, labelled by its outcome, with the checks that ran on it. */
export function attemptSection(
  output: Output,
  attempts: readonly AttemptView[],
  failedTail: number,
  taskOrder: readonly string[] = [],
): string[] {
  const rank = (taskId: string) =>
    taskOrder.includes(taskId) ? taskOrder.indexOf(taskId) : taskOrder.length;
  const ordered = [...attempts].sort(
    (a, b) => rank(a.taskId) - rank(b.taskId) || a.taskId.localeCompare(b.taskId) || a.number - b.number,
  );
  const lines: string[] = [];
  let task: string | undefined;
  for (const [attempt, next] of withNext(ordered)) {
    if (attempt.taskId !== task) {
      task = attempt.taskId;
      lines.push('', paint(output, 'bold', task));
    }
    lines.push(attemptHeading(output, attempt, next));
    if (attempt.evaluation)
      lines.push(
        ...checkLines(output, attempt.evaluation.results, { failedTail, passedTail: 0, indent: '      ' }),
      );
    if (attempt.evaluation?.review)
      lines.push(...reviewLines(output, attempt.evaluation.review, { indent: '      ', full: false }));
  }
  return lines;
}

/**
 * The reviewer's verdict under an attempt's checks: a summary line (criteria met, critiques), then
 * a line per criterion not met or unsure; `full` (logs) adds met criteria, evidence and critiques.
 */
export function reviewLines(
  output: Output,
  review: EvaluationReview,
  options: { indent: string; full: boolean },
): string[] {
  const met = review.criteria.filter((c) => c.verdict === 'met').length;
  const counts = [
    review.criteria.length ? `${met}/${review.criteria.length} criteria met` : 'no acceptance criteria',
    `${review.critiques.length} critique${review.critiques.length === 1 ? '' : 's'}`,
    ...(review.sessions > 1 ? [`asked ${review.sessions} times`] : []),
    ...(review.diffCut ? ['diff cut to fit'] : []),
  ];
  const lines = [
    `${options.indent}review by ${review.agent}${review.model ? ` (${review.model})` : ''}: ${counts.join(', ')}`,
  ];
  if (review.status === 'unreadable')
    lines.push(
      `${options.indent}  ${paint(output, 'yellow', '!')} reply not readable: ${review.error ?? 'no reason'}`,
    );
  for (const c of review.criteria) {
    if (c.verdict === 'met' && !options.full) continue;
    const mark =
      c.verdict === 'met'
        ? paint(output, 'green', '✓ met')
        : c.verdict === 'not_met'
          ? paint(output, 'red', '✗ not met')
          : paint(output, 'yellow', '? cannot tell');
    lines.push(`${options.indent}  ${mark}: ${c.criterion}`);
    if (options.full && c.evidence)
      lines.push(`${options.indent}      ${paint(output, 'gray', `│ ${c.evidence}`)}`);
  }
  if (options.full) {
    for (const critique of review.critiques)
      lines.push(
        `${options.indent}  ${paint(output, critique.severity === 'minor' ? 'gray' : 'red', `[${critique.severity}]`)} ${critique.text}`,
      );
    if (review.summary) lines.push(`${options.indent}  ${paint(output, 'gray', review.summary)}`);
  }
  return lines;
}

export function attemptHeading(output: Output, attempt: AttemptView, next: AttemptView | undefined): string {
  const outcome = attemptOutcome(attempt, next);
  return `  #${attempt.number} ${attempt.kind} on ${attempt.agent}: ${paint(output, outcome.color, outcome.label)}`;
}

/** What waits for the person reading: a yellow count (`noun` pluralised), a line each, how to act. */
function waitingSection(
  output: Output,
  lines: string[],
  noun: string,
  waitsFor: string,
  hint: string,
): string[] {
  if (lines.length === 0) return [];
  const count = `${lines.length} ${noun}${lines.length > 1 ? 's' : ''} waiting for ${waitsFor}:`;
  return ['', paint(output, 'yellow', count), ...lines, `  ${hint}`];
}

/** The final review's summary, the criteria it did not find met, and the open risks it named. */
function finalReviewSection(output: Output, final: RunView['finalReview']): string[] {
  if (!final) return [];
  return [
    '',
    paint(output, 'bold', `final review of ${final.commit.slice(0, 8)}`),
    ...reviewLines(output, final.review, { indent: '  ', full: true }),
  ];
}

function approvalSection(output: Output, approvals: RunView['openApprovals']): string[] {
  return waitingSection(
    output,
    approvals.map((a) =>
      a.kind === 'final'
        ? `  [${a.approvalId}] the final review: ${a.why}`
        : `  [${a.approvalId}] ${a.taskId}, attempt ${a.attempt}: ${a.confidence}; ${a.why}`,
    ),
    'result',
    'approval',
    'approve with: gaffer approve <id>   deny with: gaffer deny <id> --reason "what to change"',
  );
}

function questionSection(output: Output, questions: RunView['openQuestions']): string[] {
  return waitingSection(
    output,
    questions.map(
      (q) =>
        `  [${q.questionId}] ${q.taskId}: ${q.question}${q.proposal === null ? '' : `\n      the foreman proposes: ${q.proposal}`}`,
    ),
    'question',
    'an answer',
    'answer with: gaffer answer <question-id> "your answer" (or --accept the proposal; see gaffer questions)',
  );
}
