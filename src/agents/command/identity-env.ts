import type { SessionInput } from '../../domain/index.js';

/**
 * The variables that tell a command agent which run, task and attempt it works on, so a wrapper
 * script can name its logs, resume its own session on a `resume` attempt or skip work already
 * done. They override any variable of the same name the plan passes through: inside an attempt
 * only Gaffer knows these values (a nested `gaffer run` must not leak its parent's).
 */
export function agentIdentityEnv(input: SessionInput): Record<string, string> {
  return {
    GAFFER_RUN_ID: input.runId,
    GAFFER_TASK_ID: input.taskId,
    GAFFER_ATTEMPT: String(input.attemptNumber),
    GAFFER_ATTEMPT_KIND: input.kind,
    GAFFER_WORKTREE: input.cwd,
  };
}
