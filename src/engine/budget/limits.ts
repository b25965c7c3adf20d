import type { BudgetRaise, Plan, TaskBudgets } from '../../domain/index.js';
import { BUDGET_LIMITS } from '../../domain/index.js';

/** The limits in force: the run's, and each task's (the plan's `per_task` under the task's own). */
export interface EffectiveLimits {
  run: TaskBudgets;
  tasks: ReadonlyMap<string, TaskBudgets>;
}

/**
 * What the plan says, with every raise a person recorded applied in order: a raise is an event
 * (`run.budget-raised`), never an edit of the stored plan, so the history says who allowed what.
 */
export function effectiveLimits(plan: Plan, raises: readonly BudgetRaise[]): EffectiveLimits {
  const { per_task: perTask, ...runLimits } = plan.settings.budgets;
  const run: TaskBudgets = pick(runLimits);
  const tasks = new Map<string, TaskBudgets>(
    plan.tasks.map((task) => [task.id, { ...pick(perTask ?? {}), ...pick(task.budgets ?? {}) }]),
  );
  for (const raise of raises) {
    const target = raise.scope === 'run' ? run : tasks.get(raise.taskId ?? '');
    if (target) target[raise.limit] = raise.to;
  }
  return { run, tasks };
}

/** Only the limits that are set (a plan's mapping may carry `undefined` after parsing). */
function pick(budgets: TaskBudgets): TaskBudgets {
  const out: TaskBudgets = {};
  for (const limit of BUDGET_LIMITS) if (budgets[limit] !== undefined) out[limit] = budgets[limit];
  return out;
}

/** Whether any limit at all is set: a run without one needs no ledger. */
export function hasLimits(limits: EffectiveLimits): boolean {
  return (
    Object.keys(limits.run).length > 0 || [...limits.tasks.values()].some((t) => Object.keys(t).length > 0)
  );
}
