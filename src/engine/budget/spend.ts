import type { BudgetLimit, BudgetScope, TaskBudgets, Usage } from '../../domain/index.js';
import { BUDGET_LIMITS } from '../../domain/index.js';

/** What a run or a task has spent, in the units of its limits. */
export type Spend = Record<BudgetLimit, number>;

/** Tokens count what the model read and wrote (cached input is part of the input). */
export const tokensOf = (usage: Usage): number => usage.inputTokens + usage.outputTokens;

/** A limit reached, with the figures to show: whose, which, what was spent, the limit. */
export interface Breach {
  scope: BudgetScope;
  taskId?: string;
  limit: BudgetLimit;
  spent: number;
  max: number;
  /** The least the attempt about to start would cost, when it was refused for it. */
  estimate?: number;
}

/** The least an attempt will spend: reading its prompt once. */
export interface AttemptEstimate {
  tokens: number;
  cost_usd: number;
}

/**
 * The first limit `spent` has reached. Attempts are a count of starts, not a flow: having
 * started as many as allowed is no breach until another would start.
 */
export function breachOf(
  spent: Spend,
  limits: TaskBudgets,
  scope: BudgetScope,
  taskId?: string,
): Breach | undefined {
  for (const limit of BUDGET_LIMITS) {
    const max = limits[limit];
    if (max === undefined || limit === 'attempts') continue;
    if (spent[limit] >= max) return breach(scope, taskId, limit, spent[limit], max);
  }
  return undefined;
}

/**
 * Whether one more attempt may start: not when a limit is reached, when it would be one attempt
 * too many, or when even its estimate (a lower bound) would go over what is left.
 */
export function breachBeforeAttempt(
  spent: Spend,
  limits: TaskBudgets,
  estimate: AttemptEstimate,
  scope: BudgetScope,
  taskId?: string,
): Breach | undefined {
  const reached = breachOf(spent, limits, scope, taskId);
  if (reached) return reached;
  if (limits.attempts !== undefined && spent.attempts + 1 > limits.attempts)
    return breach(scope, taskId, 'attempts', spent.attempts, limits.attempts);
  for (const limit of ['tokens', 'cost_usd'] as const) {
    const max = limits[limit];
    if (max !== undefined && estimate[limit] > 0 && spent[limit] + estimate[limit] > max)
      return { ...breach(scope, taskId, limit, spent[limit], max), estimate: estimate[limit] };
  }
  return undefined;
}

/**
 * Whether the work in flight spent more than `allowance` (a fraction of the limit) since the
 * breach was noticed — the most a drain may add to a limit already reached.
 */
export function overrunOf(spent: Spend, reached: Breach, allowance: number): boolean {
  return spent[reached.limit] >= Math.max(reached.spent, reached.max) + reached.max * allowance;
}

function breach(
  scope: BudgetScope,
  taskId: string | undefined,
  limit: BudgetLimit,
  spent: number,
  max: number,
): Breach {
  return { scope, ...(taskId === undefined ? {} : { taskId }), limit, spent, max };
}
