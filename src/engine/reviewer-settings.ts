import type { ReviewerSettings, RunRecord } from '../domain/index.js';

/** The plan's reviewer; undefined when the plan has none (or says `reviewer: none`). */
export function reviewerOf(run: Pick<RunRecord, 'plan'>): ReviewerSettings | undefined {
  const reviewer = run.plan.settings.reviewer;
  return reviewer === undefined || reviewer === 'none' ? undefined : reviewer;
}

/** The reviewer's backend settings: `agents.<agent>`, then `reviewer.agent_config`, then `reviewer.model`. */
export function reviewerConfig(
  run: Pick<RunRecord, 'plan'>,
  reviewer: ReviewerSettings,
): Record<string, unknown> {
  const config: Record<string, unknown> = {
    ...(run.plan.settings.agents[reviewer.agent] ?? {}),
    ...(reviewer.agent_config ?? {}),
    ...(reviewer.model === undefined ? {} : { model: reviewer.model }),
  };
  const pricing = run.plan.settings.pricing;
  return config.pricing === undefined && Object.keys(pricing).length > 0 ? { ...config, pricing } : config;
}
