import type { PlanTask, SandboxNeeds } from '../../domain/index.js';
import type { RunContext } from '../run-context.js';
import type { SandboxRequest } from './open-sandbox.js';
import { sandboxOff, widenings } from './sandbox-settings.js';

type Deps = Pick<RunContext, 'repo' | 'run' | 'env'>;

/** A task's checks (or the baseline's, without a task): the plan's and the task's widenings; the host network unless `verifiers.network: false`. */
export function checkSandboxRequest(ctx: Deps, worktree: string, task?: PlanTask): SandboxRequest {
  const wide = widenings(ctx.run, task, undefined, ctx.env.HOME);
  return {
    repo: ctx.repo,
    worktree,
    env: ctx.env,
    off: sandboxOff(ctx.run),
    writable: wide.writable,
    readable: wide.readable,
    network: ctx.run.plan.settings.verifiers?.network === false ? 'none' : 'host',
  };
}

/**
 * An agent's session: the plan's, the agent's and the task's widenings, plus what the backend
 * itself needs (its model API host, the task's private state directory). An agent reaches only
 * those hosts.
 */
export function agentSandboxRequest(
  ctx: Deps,
  worktree: string,
  task: PlanTask,
  needs: SandboxNeeds,
  config: Record<string, unknown>,
  stateDir?: string,
): SandboxRequest {
  const wide = widenings(ctx.run, task, config, ctx.env.HOME);
  return {
    repo: ctx.repo,
    worktree,
    env: ctx.env,
    off: sandboxOff(ctx.run),
    writable: [...wide.writable, ...needs.writable, ...(stateDir === undefined ? [] : [stateDir])],
    readable: wide.readable,
    network: { hosts: [...needs.network, ...wide.network] },
  };
}
