import type { EvaluationReview, PlanTask, RunRecord } from '../../domain/index.js';
import { autonomyOf } from '../../domain/index.js';
import { reviewWithReviewer } from '../review-with-reviewer.js';
import { reviewerOf } from '../reviewer-settings.js';
import type { RunContext } from '../run-context.js';
import { sessionTask } from '../scratch-session.js';

/** What the final review lets the run do: complete, wait for a person, end failed, or nothing yet (stopped). */
export type FinalGate =
  | { type: 'complete' }
  | { type: 'wait'; approvalId: string }
  | { type: 'denied'; reason: string }
  | { type: 'stopped' };

/** The id a person approves the final review of integration head `commit` by. */
export const finalApprovalId = (runId: string, commit: string) => `${runId}.final.${commit.slice(0, 12)}`;

/**
 * Before a run completes: the reviewer reads the whole integration diff against every task's
 * acceptance criteria and records a summary with the open risks (`run.final-review`), once per
 * integration head — a resumed run finds it and asks nothing again. Under `full_auto` it is
 * recorded and the run completes; otherwise the run waits for its approval, and a denial ends
 * it failed with the person's reason. Runs without a reviewer, or that merged nothing, complete.
 */
export async function finalReviewGate(ctx: RunContext, signal: AbortSignal): Promise<FinalGate> {
  const reviewer = reviewerOf(ctx.run);
  const head = await ctx.repo.resolveCommit(`refs/heads/${ctx.run.integrationBranch}`);
  if (!reviewer || head === undefined || head === ctx.run.baseCommit) return { type: 'complete' };
  const approvalId = finalApprovalId(ctx.run.id, head);
  const events = await ctx.store.readEvents({
    runId: ctx.run.id,
    types: ['run.final-review', 'approval.decided'],
  });
  const reviewed = events.some((e) => e.type === 'run.final-review' && e.data.approvalId === approvalId);
  if (!reviewed) {
    const review = await reviewWholeRun(ctx, reviewer, head, signal);
    if (signal.aborted) return { type: 'stopped' };
    if (review.usage) ctx.spend?.charge(FINAL_TASK_ID, review.usage);
    await ctx.store.transaction((tx) =>
      tx.appendEvent({
        type: 'run.final-review',
        runId: ctx.run.id,
        data: { approvalId, commit: head, review },
      }),
    );
  }
  if (autonomyOf(ctx.run.plan.settings) === 'full_auto') return { type: 'complete' };
  // Read again: a decision may have been recorded while the review ran.
  const decisions = reviewed
    ? events
    : await ctx.store.readEvents({ runId: ctx.run.id, types: ['approval.decided'] });
  const decision = decisions.findLast(
    (e) => e.type === 'approval.decided' && e.data.approvalId === approvalId,
  );
  if (decision?.type !== 'approval.decided') return { type: 'wait', approvalId };
  return decision.data.decision === 'approved'
    ? { type: 'complete' }
    : {
        type: 'denied',
        reason: `the final review was denied by ${decision.data.by}: ${decision.data.reason ?? ''}`,
      };
}

/** The final review's spending is the run's, under this name (no task of the plan is called so). */
const FINAL_TASK_ID = 'final review';

async function reviewWholeRun(
  ctx: RunContext,
  reviewer: NonNullable<ReturnType<typeof reviewerOf>>,
  head: string,
  signal: AbortSignal,
): Promise<EvaluationReview> {
  // Superseded tasks (a replan replaced them) are history, not the result.
  const passed = new Set(
    (await ctx.store.listTasks(ctx.run.id)).filter((t) => t.status === 'passed').map((t) => t.taskId),
  );
  return reviewWithReviewer(
    ctx,
    {
      reviewer,
      task: wholeRunTask(ctx.run, passed),
      from: ctx.run.baseCommit,
      to: head,
      results: [],
      scratchName: `final.${head.slice(0, 12)}`,
      stateKey: 'final.review',
      attemptId: finalApprovalId(ctx.run.id, head),
    },
    signal,
  );
}

/**
 * The run as one task for the reviewer: every task's criteria, each tagged with its task, and a
 * description saying the diff is everything the run merged.
 */
function wholeRunTask(run: RunRecord, passed: ReadonlySet<string>): PlanTask {
  const tasks = run.plan.tasks.filter((t) => passed.has(t.id));
  return sessionTask('final-review', `the whole run of plan "${run.plan.name}" before it completes`, {
    description: [
      'This is the final review: the diff below is everything the run merged into its integration branch, from its base.',
      'Judge each criterion against the whole of it, and list as critiques the open risks a person should know before accepting the result (gaps between tasks, inconsistencies, missing tests, anything unfinished).',
      '',
      'The tasks:',
      ...tasks.map((t) => `- ${t.id}: ${t.title}`),
    ].join('\n'),
    deliverables: tasks.flatMap((t) => t.deliverables),
    acceptance_criteria: tasks.flatMap((t) => t.acceptance_criteria.map((c) => `[${t.id}] ${c}`)),
  });
}
