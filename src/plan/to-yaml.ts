import { stringify } from 'yaml';
import type { Plan, PlanTask } from '../domain/index.js';
import { DEFAULT_RETRY_POLICY } from '../domain/index.js';

/**
 * Writes a plan in the `plan.yaml` format. Empty lists, empty mappings and empty descriptions
 * are left out because they are the defaults, which keeps written plans short;
 * `validatePlan(planToYaml(plan))` yields the same plan.
 */
export function planToYaml(plan: Plan): string {
  const { settings } = plan;
  const document: Record<string, unknown> = {
    name: plan.name,
    base_branch: settings.base_branch,
    concurrency: settings.concurrency,
    agent_concurrency: nonEmpty(settings.agent_concurrency),
    max_rework: settings.max_rework,
    autonomy: settings.autonomy,
    budgets: nonEmpty(settings.budgets),
    agent: settings.agent,
    protected_paths: nonEmpty(settings.protected_paths),
    question_timeout_s: settings.question_timeout_s === 600 ? undefined : settings.question_timeout_s,
    pricing: nonEmpty(settings.pricing),
    retry:
      JSON.stringify(settings.retry) === JSON.stringify(DEFAULT_RETRY_POLICY) ? undefined : settings.retry,
    merge: settings.merge,
    verifiers: settings.verifiers,
    agents: nonEmpty(settings.agents),
    tasks: plan.tasks.map(taskEntry),
  };
  return stringify(withoutUndefined(document), { lineWidth: 0, aliasDuplicateObjects: false });
}

function taskEntry(task: PlanTask): Record<string, unknown> {
  return withoutUndefined({
    id: task.id,
    title: task.title,
    description: task.description === '' ? undefined : task.description,
    depends_on: nonEmpty(task.depends_on),
    deliverables: nonEmpty(task.deliverables),
    acceptance_criteria: nonEmpty(task.acceptance_criteria),
    context_files: nonEmpty(task.context_files),
    covers: task.covers,
    agent: task.agent,
    order: task.order,
    estimate_s: task.estimate_s,
    verifiers: task.verifiers,
    allow_empty: task.allow_empty,
    agent_config: task.agent_config,
  });
}

function nonEmpty<T extends object>(value: T | undefined): T | undefined {
  return value === undefined || Object.keys(value).length === 0 ? undefined : value;
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
