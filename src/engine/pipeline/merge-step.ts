import type { AttemptRecord } from '../../domain/index.js';
import { taskPassed } from '../../domain/index.js';
import { errorMessage } from '../logger.js';
import type { RunContext } from '../run-context.js';
import { taskOf } from '../run-context.js';
import { ensureEvaluating } from './evaluate-step.js';

/**
 * Merge: the task branch goes into the integration branch (rebased once on conflict). A merge
 * passes the task; a conflict is recorded against the attempt, and the next step sends it back
 * for rework on the new integration head. A branch merged before a crash comes back as
 * already merged and passes without another session.
 */
export async function mergeAttempt(ctx: RunContext, attempt: AttemptRecord): Promise<boolean> {
  const { repo, run, store } = ctx;
  await ensureEvaluating(ctx, attempt);
  const message = `gaffer: merge ${attempt.taskId} (${taskOf(run, attempt.taskId).title})`;
  let merged = await repo.mergeBranch(run.integrationBranch, attempt.branch, message);
  let rebased = false;
  if (!merged.ok) {
    const rebase = await repo.rebase(attempt.worktreePath, run.integrationBranch);
    if (rebase.ok) {
      rebased = true;
      merged = await repo.mergeBranch(run.integrationBranch, attempt.branch, message);
    }
  }
  if (!merged.ok) {
    const files = merged.conflicts;
    await store.transaction((tx) =>
      tx.appendEvent({
        type: 'merge.conflicted',
        runId: run.id,
        taskId: attempt.taskId,
        attemptId: attempt.id,
        data: { files, rebased },
      }),
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
  // The task has passed: a worktree that will not go away is left for `gaffer clean`.
  await repo.removeWorktree(attempt.worktreePath).catch((error: unknown) =>
    ctx.logger.warn('could not remove a passed task’s worktree', {
      worktree: attempt.worktreePath,
      error: errorMessage(error),
    }),
  );
  return true;
}
