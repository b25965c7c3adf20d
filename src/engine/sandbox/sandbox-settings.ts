import { expandHome, isObject } from '../../domain/index.js';
import type { PlanTask, RunRecord, SandboxSettings } from '../../domain/index.js';

/** Every widening that applies to one task's sessions and checks: the plan's, the agent's, the task's. */
export interface Widenings {
  writable: string[];
  readable: string[];
  network: string[];
}

const EMPTY: Widenings = { writable: [], readable: [], network: [] };

/** Whether the plan turned the sandbox off. */
export const sandboxOff = (run: Pick<RunRecord, 'plan'>) => run.plan.settings.sandbox === 'off';

/**
 * `~/x` against HOME; other paths as they are (they were checked when the run was created). With
 * no HOME (the run was created with one), a place that cannot exist: the sandbox skips it.
 */
const expandPath = (p: string, home: string | undefined) => expandHome(p, home) ?? '/nonexistent-home';

function add(into: Widenings, from: SandboxSettings | undefined, home: string | undefined): Widenings {
  if (from === undefined) return into;
  return {
    writable: [...into.writable, ...(from.writable ?? []).map((p) => expandPath(p, home))],
    readable: [...into.readable, ...(from.readable ?? []).map((p) => expandPath(p, home))],
    network: [...into.network, ...(from.network ?? [])],
  };
}

/** An agent's `sandbox:` key, from `agents.<name>` merged with the task's `agent_config`. */
export function agentSandboxSettings(config: Record<string, unknown>): SandboxSettings | undefined {
  const value = config.sandbox;
  return isObject(value) ? value : undefined;
}

/** The widenings for a task's agent session (plan + agent + task) or its checks (plan + task). */
export function widenings(
  run: Pick<RunRecord, 'plan'>,
  task: PlanTask | undefined,
  agentConfig: Record<string, unknown> | undefined,
  home: string | undefined,
): Widenings {
  const plan = run.plan.settings.sandbox;
  let out = add(EMPTY, plan === 'off' ? undefined : plan, home);
  if (agentConfig) out = add(out, agentSandboxSettings(agentConfig), home);
  return add(out, task?.sandbox, home);
}
