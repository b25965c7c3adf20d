import type { AgentFailure, SessionResult } from '../../domain/index.js';
import { agentFailure, attemptFailed, attemptSucceeded, taskEvaluating } from '../../domain/index.js';
import { matchProtectedPaths } from '../../verify/index.js';
import type { RunContext } from '../run-context.js';
import { protectedPathsOf, taskOf } from '../run-context.js';
import type { AttemptRecord } from '../../domain/index.js';
import { integrationHead } from './repo-steps.js';

/**
 * Guard: reverts changes to protected paths, whatever the agent's own permission system
 * allowed, and records which (the evaluation counts them against the attempt).
 */
export async function guardProtectedPaths(ctx: RunContext, attempt: AttemptRecord): Promise<string[]> {
  const changed = await ctx.repo.changedPaths(attempt.worktreePath, attempt.baseCommit);
  const violations = matchProtectedPaths(changed, protectedPathsOf(ctx.run));
  if (violations.length === 0) return [];
  await ctx.repo.restorePaths(attempt.worktreePath, violations, attempt.baseCommit);
  await ctx.store.transaction((tx) =>
    tx.appendEvent({
      type: 'attempt.protected-path-reverted',
      runId: attempt.runId,
      taskId: attempt.taskId,
      attemptId: attempt.id,
      data: { paths: violations },
    }),
  );
  return violations;
}

/**
 * Commit: the attempt's changes become a commit on the task branch (also after a failed session:
 * the next attempt continues from them), and the attempt's end is recorded — succeeded, with the
 * task moving on to evaluation, or failed with its typed failure.
 */
export async function commitAttempt(
  ctx: RunContext,
  attempt: AttemptRecord,
  session: SessionResult,
): Promise<void> {
  const { repo, store } = ctx;
  const title = taskOf(ctx.run, attempt.taskId).title;
  const head =
    (await repo.commitAll(
      attempt.worktreePath,
      `gaffer(${attempt.taskId}): ${title} [attempt ${attempt.number}]`,
    )) ?? attempt.baseCommit;
  const since = (await repo.mergeBase(await integrationHead(ctx), head)) ?? head;
  const filesChanged = (await repo.diffStat(since, head)).files.length;
  const outcome = { usage: session.usage, nativeSessionId: session.nativeSessionId, headCommit: head };
  if (session.status === 'failed') {
    const error = session.error ?? 'the agent session failed';
    await store.transaction((tx) =>
      tx.apply(attemptFailed(attempt, { ...outcome, error, failure: failureOf(session, error) })),
    );
    return;
  }
  await store.transaction(async (tx) => {
    await tx.apply(attemptSucceeded(attempt, { ...outcome, filesChanged }));
    await tx.apply(taskEvaluating(attempt, attempt.number, filesChanged));
  });
}

/** An adapter that gave no typed failure is treated as a failed task, as before types existed. */
const failureOf = (session: SessionResult, error: string): AgentFailure =>
  session.failure ?? agentFailure('task_failed', error);
