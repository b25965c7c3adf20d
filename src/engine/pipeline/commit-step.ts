import type { AgentFailure, GafferEvent, SessionResult } from '../../domain/index.js';
import { agentFailure, attemptFailed, attemptSucceeded, taskEvaluating } from '../../domain/index.js';
import type { LimitsVerdict } from '../../verify/index.js';
import {
  judgeDiffLimits,
  limitsMessage,
  limitsOf,
  matchProtectedPaths,
  measureChangedFiles,
} from '../../verify/index.js';
import type { RunContext } from '../run-context.js';
import { protectedPathsOf, taskOf } from '../run-context.js';
import type { AttemptRecord } from '../../domain/index.js';
import { integrationHead } from './repo-steps.js';

/** What the protected-path guard found: the paths reverted, and every path the attempt changed. */
export interface GuardedChanges {
  reverted: string[];
  /** The paths the attempt changed, as listed before the revert (a reverted one is back as it was). */
  changed: string[];
}

/**
 * Guard: reverts changes to protected paths, whatever the agent's own permission system
 * allowed, and records which (the evaluation counts them against the attempt).
 */
export async function guardProtectedPaths(ctx: RunContext, attempt: AttemptRecord): Promise<GuardedChanges> {
  const changed = await ctx.repo.changedPaths(attempt.worktreePath, attempt.baseCommit);
  const violations = matchProtectedPaths(changed, protectedPathsOf(ctx.run));
  if (violations.length === 0) return { reverted: [], changed };
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
  return { reverted: violations, changed };
}

/**
 * Commit: the attempt's changes become a commit on the task branch (also after a failed session:
 * the next attempt continues from them), and the attempt's end is recorded — succeeded, with the
 * task moving on to evaluation, or failed with its typed failure. Files over the plan's size
 * limits are taken out first ({@link enforceLimits}) and fail the attempt.
 */
export async function commitAttempt(
  ctx: RunContext,
  attempt: AttemptRecord,
  agentSession: SessionResult,
  guarded: GuardedChanges,
): Promise<void> {
  const { repo, store } = ctx;
  const overLimits = await enforceLimits(ctx, attempt, guarded);
  const session = overLimits ? limitsFailure(agentSession, overLimits) : agentSession;
  const title = taskOf(ctx.run, attempt.taskId).title;
  const head =
    (await repo.commitAll(
      attempt.worktreePath,
      `gaffer(${attempt.taskId}): ${title} [attempt ${attempt.number}]`,
    )) ?? attempt.baseCommit;
  // What the task branch changed since it forked from the integration branch, whatever merged since.
  const filesChanged = (await repo.diffStat(await integrationHead(ctx), head, { fromMergeBase: true })).files
    .length;
  const outcome = { usage: session.usage, nativeSessionId: session.nativeSessionId, headCommit: head };
  if (session.status === 'failed') {
    const error = session.error ?? 'the agent session failed';
    await store.transaction(async (tx) => {
      if (overLimits) await tx.appendEvent(limitsEvent(attempt, overLimits));
      await tx.apply(attemptFailed(attempt, { ...outcome, error, failure: failureOf(session, error) }));
    });
    return;
  }
  await store.transaction(async (tx) => {
    await tx.apply(attemptSucceeded(attempt, { ...outcome, filesChanged }));
    await tx.apply(taskEvaluating(attempt, attempt.number, filesChanged));
  });
}

/**
 * Limits: the attempt's changed files are measured (git lists them, so a large repository is not
 * walked) and those over `limits.max_file_mb`, or the largest over `limits.max_diff_mb`, are put
 * back as they were at the attempt's start — a new file is removed — so neither this commit nor
 * the next attempt, which continues on the branch, carries them. Undefined when within limits.
 */
async function enforceLimits(
  ctx: RunContext,
  attempt: AttemptRecord,
  guarded: GuardedChanges,
): Promise<LimitsVerdict | undefined> {
  // The guard's list, less what it put back: nothing ran in the worktree since.
  const reverted = new Set(guarded.reverted);
  const changed = guarded.changed.filter((path) => !reverted.has(path));
  const files = await measureChangedFiles(attempt.worktreePath, changed);
  const verdict = judgeDiffLimits(files, limitsOf(ctx.run.plan.settings));
  if (verdict.oversized.length === 0) return undefined;
  await ctx.repo.restorePaths(
    attempt.worktreePath,
    verdict.oversized.map((file) => file.path),
    attempt.baseCommit,
  );
  return verdict;
}

/**
 * An attempt over the limits failed, whatever its session said; `task_failed` because it is the
 * work that is wrong, not the moment: a blind retry would write the same files, while rework
 * tells the agent which files and why. The session's own failure, if any, is kept in the text.
 */
function limitsFailure(session: SessionResult, verdict: LimitsVerdict): SessionResult {
  const message = limitsMessage(verdict);
  const error = session.status === 'failed' && session.error ? `${message}\n\n${session.error}` : message;
  return {
    ...session,
    status: 'failed',
    error,
    failure: agentFailure('task_failed', error, {
      hint: 'raise limits.max_file_mb or limits.max_diff_mb in the plan if these files belong in the repository',
    }),
  };
}

function limitsEvent(attempt: AttemptRecord, verdict: LimitsVerdict): GafferEvent {
  return {
    type: 'attempt.limits-exceeded',
    runId: attempt.runId,
    taskId: attempt.taskId,
    attemptId: attempt.id,
    data: { paths: verdict.oversized, totalBytes: verdict.totalBytes, limits: verdict.limits },
  };
}

/** An adapter that gave no typed failure is treated as a failed task, as before types existed. */
const failureOf = (session: SessionResult, error: string): AgentFailure =>
  session.failure ?? agentFailure('task_failed', error);
