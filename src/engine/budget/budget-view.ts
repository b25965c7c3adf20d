import type { BudgetLimit, BudgetScope, RunRecord } from '../../domain/index.js';
import { BUDGET_LIMITS } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { effectiveLimits, hasLimits } from './limits.js';
import { loadSpend } from './load-spend.js';
import type { Breach } from './spend.js';
import { runSpend, taskSpend } from './tally.js';

/** One limit in force, with what is spent against it. */
export interface BudgetLine {
  scope: BudgetScope;
  taskId?: string;
  limit: BudgetLimit;
  spent: number;
  max: number;
}

/** What `status` shows of a run's budgets; null when the plan sets no limit. */
export interface BudgetView {
  lines: BudgetLine[];
  /** The limit that paused the run, while it is paused by it. */
  pausedBy: Breach | null;
}

/** Every limit of the run and of its tasks with its spending, and the breach that paused it. */
export async function budgetView(store: Store, run: RunRecord): Promise<BudgetView | null> {
  // A raise only ever raises a limit the plan sets: without one there is nothing to read.
  if (!hasLimits(effectiveLimits(run.plan, []))) return null;
  const stored = await loadSpend(store, run);
  const limits = effectiveLimits(run.plan, stored.raises);
  const now = Date.now();
  const lines: BudgetLine[] = [];
  const add = (
    scope: BudgetScope,
    set: Partial<Record<BudgetLimit, number>>,
    spent: Record<BudgetLimit, number>,
    taskId?: string,
  ) => {
    for (const limit of BUDGET_LIMITS) {
      const max = set[limit];
      if (max !== undefined)
        lines.push({ scope, ...(taskId === undefined ? {} : { taskId }), limit, spent: spent[limit], max });
    }
  };
  add('run', limits.run, runSpend(stored, now));
  for (const [taskId, set] of limits.tasks) add('task', set, taskSpend(stored, taskId, now), taskId);
  if (lines.length === 0) return null;
  return { lines, pausedBy: run.status === 'paused' ? await pausingBreach(store, run.id) : null };
}

/** The breach recorded in the stretch that ended with the run's last pause, if that pause was by budget. */
async function pausingBreach(store: Store, runId: string): Promise<Breach | null> {
  const events = await store.readEvents({
    runId,
    types: ['run.paused', 'run.budget-exceeded', 'run.started'],
  });
  const lastPause = events.findLast((e) => e.type === 'run.paused');
  if (lastPause?.type !== 'run.paused' || lastPause.data.by !== 'budget') return null;
  const breach = events.findLast((e) => e.type === 'run.budget-exceeded' && e.id < lastPause.id);
  if (breach?.type !== 'run.budget-exceeded') return null;
  return { ...breach.data, ...(breach.taskId ? { taskId: breach.taskId } : {}) };
}
