import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttemptRef, ForemanSettings, SessionInput } from '../../domain/index.js';
import type { ReviewerAnswer } from '../../verify/index.js';
import { collectAnswer } from '../../verify/index.js';
import { agentEnv } from '../child-env.js';
import { errorMessage } from '../logger.js';
import type { RunContext } from '../run-context.js';
import { protectedPathsOf, runDir, taskOf } from '../run-context.js';
import { agentSandboxRequest, agentStateDir, openSandbox, prepareAgentState } from '../sandbox/index.js';
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
  const adapter = ctx.agents.get(foreman.agent);
  const config = foremanConfig(ctx.run, foreman);
  const task = taskOf(ctx.run, attempt.taskId);
  let sessions = 0;
  return async (prompt) => {
    sessions += 1;
    const scratch = join(runDir(ctx.repo.root, ctx.run.id), 'foreman', `${questionId}.${sessions}`);
    await mkdir(scratch, { recursive: true });
    try {
      const record = await ctx.store.getAttempt(attempt.id);
      const input: SessionInput = {
        runId: attempt.runId,
        taskId: attempt.taskId,
        attemptId: attempt.id,
        attemptNumber: record?.number ?? 1,
        kind: record?.kind ?? 'first',
        // Its context files are the agent's to read; the foreman answers from its prompt.
        task: { ...task, context_files: [] },
        prompt,
        cwd: scratch,
        config,
        env: agentEnv(ctx.env, config, adapter.envKeys),
        protectedPaths: protectedPathsOf(ctx.run),
      };
      const needs = adapter.sandboxNeeds?.(config, ctx.env) ?? { writable: [], network: [] };
      const stateDir =
        needs.state === undefined
          ? undefined
          : prepareAgentState(
              agentStateDir(ctx.repo.root, attempt.runId, `${attempt.taskId}.foreman`, adapter.name),
              needs.state.seed,
            );
      const opened = await openSandbox(agentSandboxRequest(ctx, scratch, task, needs, config, stateDir));
      try {
        const session = adapter.start(
          { ...input, sandbox: opened.sandbox, ...(stateDir === undefined ? {} : { stateDir }) },
          signal,
        );
        return await collectAnswer(session);
      } finally {
        await opened.dispose();
      }
    } catch (error) {
      return { text: '', error: errorMessage(error) };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };
}
