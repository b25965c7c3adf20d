import type { ForemanSettings, RunRecord } from '../../domain/index.js';

/** The plan's foreman; undefined when the plan has none (or says `foreman: none`): a person answers. */
export function foremanOf(run: Pick<RunRecord, 'plan'>): ForemanSettings | undefined {
  const foreman = run.plan.settings.foreman;
  return foreman === undefined || foreman === 'none' ? undefined : foreman;
}

/** The foreman's backend settings: `agents.<agent>`, then `foreman.agent_config`, then `foreman.model`. */
export function foremanConfig(
  run: Pick<RunRecord, 'plan'>,
  foreman: ForemanSettings,
): Record<string, unknown> {
  const config: Record<string, unknown> = {
    ...(run.plan.settings.agents[foreman.agent] ?? {}),
    ...(foreman.agent_config ?? {}),
    ...(foreman.model === undefined ? {} : { model: foreman.model }),
  };
  // The plan's prices apply unless the backend has its own, so the budgets count the foreman right.
  const pricing = run.plan.settings.pricing;
  return config.pricing === undefined && Object.keys(pricing).length > 0 ? { ...config, pricing } : config;
}
