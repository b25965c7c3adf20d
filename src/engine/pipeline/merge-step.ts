import type { AttemptRecord } from '../../domain/index.js';
import { taskPassed } from '../../domain/index.js';
import { errorMessage } from '../logger.js';
import type { RunContext } from '../run-context.js';
import { taskOf } from '../run-context.js';
import { checkMergeHealth, healthResults } from '../health/health-check.js';
import { stopRequestOf } from '../stop-request.js';
import { ensureEvaluating } from './evaluate-step.js';
import { afterBrokenIntegration } from './next-step.js';
import { takeOutMerge } from './take-out-step.js';

/**
 * How a merge step ended: the task passed, its next step is decided again, the run is stopping,
 * or the task is blocked (its merge broke the integration branch and its rework budget is spent).
 */
export type MergeEnd = 'passed' | 'again' | 'stopped' | { blocked: string };

/**
 * Merge: the task branch goes into the integration branch, then the task's checks run there
 * (the health check, {@link checkMergeHealth}) and a clean verdict passes the task. One merge at
 * a time per drive (the merge lane), so a failed health check is this merge's: its verdict is
 * recorded, then — still in the lane, so nothing merges on top — the merge is taken back out and
 * the task sent to rework (a crash in between takes it out on resume). A check stopped by a pause
 * or cancel takes the unchecked merge out too: it merges and is checked again when the run goes
 * on, and a cancelled run keeps no unchecked work. On a conflict the branch is rebased onto the integration head and checked again
 * (recorded as `merge.rebased`), or, when the rebase conflicts too, the conflict is recorded
 * against the attempt and the next step sends it back for rework on the new integration head. A
 * branch merged before a crash comes back as already merged: its merge is found by its message
 * and checked again, without another session.
 */
export async function mergeAttempt(
  ctx: RunContext,
  attempt: AttemptRecord,
  signal: AbortSignal,
): Promise<MergeEnd> {
  await ensureEvaluating(ctx, attempt);
  const lane = ctx.mergeLane;
  const end = await (lane
    ? lane.run(() => mergeAndCheck(ctx, attempt, signal))
    : mergeAndCheck(ctx, attempt, signal));
  if (end !== 'passed') return end;
  // The task has passed: its worktree waits in the pool for the next task (one per slot), or goes.
  // One that will not go away is left for `gaffer clean`.
  await ctx.repo.retireWorktree(attempt.worktreePath, ctx.run.options.concurrency).catch((error: unknown) =>
    ctx.logger.warn('could not remove a passed task’s worktree', {
      worktree: attempt.worktreePath,
      error: errorMessage(error),
    }),
  );
  return 'passed';
}

async function mergeAndCheck(
  ctx: RunContext,
  attempt: AttemptRecord,
  signal: AbortSignal,
): Promise<MergeEnd> {
  const { repo, run, store } = ctx;
  const squash = run.plan.settings.merge !== 'keep';
  const commit = await judgedCommit(ctx, attempt);
  const merged = await repo.mergeBranch(run.integrationBranch, attempt.branch, mergeMessage(run, attempt), {
    squash,
    commit,
  });
  if (!merged.ok) {
    await recordConflict(ctx, attempt, merged.conflicts);
    return 'again';
  }
  // Already merged (before a crash): the attempt's own merge, if it made one; work that was
  // already there (another task made the same change) merges nothing and has nothing to check.
  const mergeCommit = merged.alreadyMerged
    ? await repo.findMergeByLine(run.integrationBranch, run.baseCommit, mergeMarker(run, attempt))
    : merged.commit;
  const health =
    mergeCommit === undefined
      ? ({ type: 'skipped' } as const)
      : await checkMergeHealth(ctx, attempt.taskId, merged.commit, signal);
  if (health.type === 'stopped') {
    if (mergeCommit !== undefined) await withdrawUnchecked(ctx, attempt, mergeCommit, signal);
    return 'stopped';
  }
  const checked =
    health.type === 'checked' && mergeCommit !== undefined
      ? {
          type: 'merge.health-checked' as const,
          runId: run.id,
          taskId: attempt.taskId,
          attemptId: attempt.id,
          data: { commit: merged.commit, merge: mergeCommit, passed: health.passed, checks: health.checks },
        }
      : undefined;
  if (checked && mergeCommit !== undefined && !checked.data.passed) {
    // The verdict first: whatever stops the drive next, the merge is taken out on resume.
    await store.transaction((tx) => tx.appendEvent(checked));
    const task = await store.getTask(run.id, attempt.taskId);
    if (!task) return 'again';
    const then = afterBrokenIntegration(
      { task, maxRework: run.plan.settings.max_rework },
      healthResults(checked.data.checks),
    );
    const end = await takeOutMerge(ctx, { type: 'take-out', attempt, merge: mergeCommit, then });
    return end ?? 'again';
  }
  await store.transaction(async (tx) => {
    // In the order it happened: the branch was found healthy, then the task passed with its merge.
    if (checked) await tx.appendEvent(checked);
    const task = await tx.getTask(run.id, attempt.taskId);
    await tx.apply(taskPassed(run.id, attempt.taskId, merged.commit, task?.filesChanged ?? 0));
    await tx.appendEvent({
      type: 'merge.completed',
      runId: run.id,
      taskId: attempt.taskId,
      data: { commit: merged.commit },
    });
  });
  return 'passed';
}

/**
 * Takes out a merge whose health check was stopped, recorded as `merge.reverted` (a verdict that
 * never came breaks nothing: the next step merges again). After a lost lease another engine owns
 * the run: nothing is written, and that engine finds the merge and checks it.
 */
async function withdrawUnchecked(
  ctx: RunContext,
  attempt: AttemptRecord,
  merge: string,
  signal: AbortSignal,
): Promise<void> {
  const { repo, run, store } = ctx;
  if (stopRequestOf(signal).kind === 'lease-lost') return;
  const reason = 'its health check was stopped; it merges and is checked again when the run goes on';
  const out = await repo.takeOutMerge(
    run.integrationBranch,
    merge,
    `gaffer: take out ${attempt.taskId}, unchecked\n\n${reason}`,
  );
  if (!out.ok) {
    ctx.logger.warn('could not take an unchecked merge back out', { merge, conflicts: out.conflicts });
    return;
  }
  await store.transaction((tx) =>
    tx.appendEvent({
      type: 'merge.reverted',
      runId: run.id,
      taskId: attempt.taskId,
      attemptId: attempt.id,
      data: { commit: merge, how: out.how, integrationHead: out.head, reason },
    }),
  );
}

/** A merge that conflicted: the branch rebased onto the integration head (checked again), or the conflict recorded. */
async function recordConflict(ctx: RunContext, attempt: AttemptRecord, conflicts: string[]): Promise<void> {
  const { repo, run, store } = ctx;
  const rebase = await repo.rebase(attempt.worktreePath, run.integrationBranch);
  // A rebased branch is new code: it is checked again before it may be merged.
  await store.transaction((tx) =>
    tx.appendEvent(
      rebase.ok
        ? {
            type: 'merge.rebased',
            runId: run.id,
            taskId: attempt.taskId,
            attemptId: attempt.id,
            data: { headCommit: rebase.head },
          }
        : {
            type: 'merge.conflicted',
            runId: run.id,
            taskId: attempt.taskId,
            attemptId: attempt.id,
            data: { files: conflicts, rebased: false },
          },
    ),
  );
}

/**
 * The commit to merge: the one the attempt's newest evaluation judged (recorded on
 * `evaluation.completed`), else the commit Gaffer made after the session — never the branch as it
 * is now, which something (a background process, a check) may have moved since it was checked.
 */
async function judgedCommit(ctx: RunContext, attempt: AttemptRecord): Promise<string | undefined> {
  const events = await ctx.store.readEvents({
    runId: attempt.runId,
    taskId: attempt.taskId,
    types: ['evaluation.completed'],
  });
  const checked = events.findLast((e) => e.attemptId === attempt.id);
  const commit = checked?.type === 'evaluation.completed' ? checked.data.commit : undefined;
  return commit ?? attempt.headCommit ?? undefined;
}

/**
 * A squash commit is the task's one commit on the integration branch: its title says what it did.
 * Either kind ends with the {@link mergeMarker} line, by which a resume finds the merge again.
 */
function mergeMessage(run: RunContext['run'], attempt: AttemptRecord): string {
  const title = taskOf(run, attempt.taskId).title;
  const subject = run.plan.settings.merge === 'keep' ? `gaffer: merge ${attempt.taskId} (${title})` : title;
  return `${subject}\n\n${mergeMarker(run, attempt)}`;
}

/** The line that names the attempt in its merge's message. */
export const mergeMarker = (run: RunContext['run'], attempt: AttemptRecord): string =>
  `gaffer task ${attempt.taskId} of run ${run.id}, attempt ${attempt.number}`;
