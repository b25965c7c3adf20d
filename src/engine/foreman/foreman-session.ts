import { join } from 'node:path';
import type { AttemptRef, ForemanSettings } from '../../domain/index.js';
import type { ReviewerAnswer } from '../../verify/index.js';
import type { RunContext } from '../run-context.js';
import { runDir, taskOf } from '../run-context.js';
import { runScratchSession } from '../scratch-session.js';
import { foremanConfig } from './foreman-settings.js';

/** Runs one foreman session on a prompt for a question; the caller decides what the reply means. */
export type ForemanSession = (prompt: string) => Promise<ReviewerAnswer>;

/**
 * A foreman session for one question. It runs in an empty scratch directory under
 * `.gaffer/runs/<run>/foreman/<question>`, the only place its sandbox and tools may write (with
 * the backend's own private state), never in the agent's worktree: it answers from its prompt
 * and can change nothing of the repository. The directory is gone once the session is. A
 * session that throws is a failed answer, never a failed attempt; `signal` (the attempt's) stops it.
 */
export function foremanSession(
  ctx: RunContext,
  foreman: ForemanSettings,
  attempt: AttemptRef,
  questionId: string,
  signal: AbortSignal,
): ForemanSession {
  const config = foremanConfig(ctx.run, foreman);
  const task = taskOf(ctx.run, attempt.taskId);
  let sessions = 0;
  return async (prompt) => {
    sessions += 1;
    const record = await ctx.store.getAttempt(attempt.id);
    return runScratchSession(
      ctx,
      {
        agent: foreman.agent,
        config,
        scratch: join(runDir(ctx.repo.root, ctx.run.id), 'foreman', `${questionId}.${sessions}`),
        stateKey: `${attempt.taskId}.foreman`,
        // Its context files are the agent's to read; the foreman answers from its prompt.
        task,
        attemptId: attempt.id,
        attemptNumber: record?.number ?? 1,
        prompt,
      },
      signal,
    );
  };
}
