import type { AttemptRecord } from '../../domain/index.js';
import { taskPassed } from '../../domain/index.js';
import { errorMessage } from '../logger.js';
import type { RunContext } from '../run-context.js';
import { taskOf } from '../run-context.js';
import { ensureEvaluating } from './evaluate-step.js';

/**
 * Merge: the task branch goes into the integration branch. A merge passes the task; on a
 * conflict the branch is rebased onto the integration head and checked again (recorded as
 * `merge.rebased`), or, when the rebase conflicts too, the conflict is recorded against the
 * attempt and the next step sends it back for rework on the new integration head. A branch merged before a crash comes back as
 * already merged and passes without another session.
 */
export async function mergeAttempt(ctx: RunContext, attempt: AttemptRecord): Promise<boolean> {
  const { repo, run, store } = ctx;
  await ensureEvaluating(ctx, attempt);
  const message = mergeMessage(run, attempt);
  const squash = run.plan.settings.merge !== 'keep';
  const commit = await judgedCommit(ctx, attempt);
  const merged = await repo.mergeBranch(run.integrationBranch, attempt.branch, message, { squash, commit });
  if (!merged.ok) {
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
              data: { files: merged.conflicts, rebased: false },
            },
      ),
    );
    return false;
  }
  const mergeCommit = merged.commit;
  await store.transaction(async (tx) => {
    const task = await tx.getTask(run.id, attempt.taskId);
    await tx.apply(taskPassed(run.id, attempt.taskId, mergeCommit, task?.filesChanged ?? 0));
    await tx.appendEvent({
      type: 'merge.completed',
      runId: run.id,
      taskId: attempt.taskId,
      data: { commit: mergeCommit },
    });
  });
  // The task has passed: its worktree waits in the pool for the next task (one per slot), or goes.
  // One that will not go away is left for `gaffer clean`.
  await repo.retireWorktree(attempt.worktreePath, run.options.concurrency).catch((error: unknown) =>
    ctx.logger.warn('could not remove a passed task’s worktree', {
      worktree: attempt.worktreePath,
      error: errorMessage(error),
    }),
  );
  return true;
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

/** A squash commit is the task's one commit on the integration branch: its title says what it did. */
function mergeMessage(run: RunContext['run'], attempt: AttemptRecord): string {
  const title = taskOf(run, attempt.taskId).title;
  return run.plan.settings.merge === 'keep'
    ? `gaffer: merge ${attempt.taskId} (${title})`
    : `${title}\n\ngaffer task ${attempt.taskId} of run ${run.id}, attempt ${attempt.number}`;
}
