import type { PlannerSettings, RunRecord } from '../../domain/index.js';

/** The planner's backend settings: `agents.<agent>`, then `planner.agent_config`, then `planner.model`. */
export function plannerConfig(
  run: Pick<RunRecord, 'plan'>,
  planner: PlannerSettings,
): Record<string, unknown> {
  return {
    ...(run.plan.settings.agents[planner.agent] ?? {}),
    ...(planner.agent_config ?? {}),
    ...(planner.model ? { model: planner.model } : {}),
  };
}
