import type { BudgetLimit, BudgetRaise, RunRecord } from '../../domain/index.js';
import { BUDGET_LIMITS, isTerminalRun, userError } from '../../domain/index.js';
import { closest } from '../../plan/suggest.js';
import type { Store } from '../../store/index.js';
import { isDriven } from '../control/liveness.js';
import { formatFigure, limitOwner } from './figures.js';
import { effectiveLimits } from './limits.js';
import { loadSpend } from './load-spend.js';
import { runSpend, taskSpend } from './tally.js';

/** A new limit a person asks for: `tokens=200000` (the run's) or `parse-args.cost_usd=3` (a task's). */
export interface LimitRequest {
  limit: string;
  taskId?: string;
  value: number;
}

/**
 * Records new limits for a run that nobody drives, as one `run.budget-raised` event. Each must
 * name a limit the run has, be above the limit now and above what is spent already — otherwise
 * the run would stop again at once; anything wrong refuses them all, recording nothing.
 */
export async function raiseLimits(
  store: Store,
  run: RunRecord,
  requests: readonly LimitRequest[],
): Promise<BudgetRaise[]> {
  if (isTerminalRun(run.status))
    throw userError(
      'GAFFER_BAD_INPUT',
      `run ${run.id} has ended (${run.status}): its limits can no longer be raised`,
      `\`gaffer retry ${run.id}\` reopens the tasks that did not pass`,
    );
  if (await isDriven(store, run.id))
    throw userError(
      'GAFFER_BAD_INPUT',
      `run ${run.id} is being driven right now: limits are raised on a paused run`,
      `pause it with \`gaffer pause ${run.id}\`, then \`gaffer resume ${run.id} --raise …\``,
    );
  const stored = await loadSpend(store, run);
  const limits = effectiveLimits(run.plan, stored.raises);
  const now = Date.now();
  const raises = requests.map((request): BudgetRaise => {
    const limit = knownLimit(request.limit);
    const scope = request.taskId === undefined ? 'run' : 'task';
    const owner = limitOwner(scope, limit, request.taskId);
    if (request.taskId !== undefined && !limits.tasks.has(request.taskId))
      throw userError(
        'GAFFER_BAD_INPUT',
        `run ${run.id} has no task "${request.taskId}"`,
        `its tasks: ${[...limits.tasks.keys()].join(', ')}`,
      );
    const set = scope === 'run' ? limits.run : (limits.tasks.get(request.taskId ?? '') ?? {});
    const current = set[limit];
    if (current === undefined)
      throw userError(
        'GAFFER_BAD_INPUT',
        `${owner} is not limited, so there is nothing to raise`,
        Object.keys(set).length === 0
          ? `${scope === 'run' ? 'the run' : `task ${request.taskId}`} has no limits; add them under \`budgets:\` in the plan of a new run`
          : `limits set: ${Object.keys(set).join(', ')}`,
      );
    const spent = (scope === 'run' ? runSpend(stored, now) : taskSpend(stored, request.taskId ?? '', now))[
      limit
    ];
    if (limit === 'attempts' && !Number.isInteger(request.value))
      throw userError(
        'GAFFER_BAD_INPUT',
        `attempts=${request.value} is not a whole number of attempts`,
        `e.g. --raise ${request.taskId === undefined ? '' : `${request.taskId}.`}attempts=${suggestion(limit, Math.max(spent, current))}`,
      );
    if (!Number.isFinite(request.value) || request.value <= spent)
      throw userError(
        'GAFFER_BAD_INPUT',
        `${limit}=${request.value} is not above what is spent: ${formatFigure(limit, spent)} (${owner} limit is ${formatFigure(limit, current)})`,
        `raise it above ${formatFigure(limit, spent)}, e.g. --raise ${request.taskId === undefined ? '' : `${request.taskId}.`}${limit}=${suggestion(limit, Math.max(spent, current))}`,
      );
    if (request.value <= current)
      throw userError(
        'GAFFER_BAD_INPUT',
        `${limit}=${request.value} does not raise ${owner} limit (it is ${formatFigure(limit, current)})`,
        'a raise must be above the current limit',
      );
    return {
      scope,
      ...(request.taskId === undefined ? {} : { taskId: request.taskId }),
      limit,
      from: current,
      to: request.value,
    };
  });
  await store.transaction(async (tx) => {
    const now = await tx.getRun(run.id);
    if (!now || isTerminalRun(now.status)) throw userError('GAFFER_BAD_INPUT', `run ${run.id} has ended`);
    await tx.appendEvent({ type: 'run.budget-raised', runId: run.id, data: { raises } });
  });
  return raises;
}

function knownLimit(name: string): BudgetLimit {
  if ((BUDGET_LIMITS as readonly string[]).includes(name)) return name as BudgetLimit;
  const near = closest(name, BUDGET_LIMITS);
  throw userError(
    'GAFFER_BAD_INPUT',
    `unknown limit "${name}"`,
    `${near ? `did you mean ${near}? ` : ''}limits: ${BUDGET_LIMITS.join(', ')} (a task's: <task>.<limit>=<value>)`,
  );
}

/** A round figure half again above `from`, to show in hints. */
export function suggestion(limit: BudgetLimit, from: number): string {
  const target = from * 1.5;
  if (limit === 'attempts') return String(Math.max(Math.ceil(target), Math.floor(from) + 1));
  if (limit === 'cost_usd') return (Math.ceil(target * 100) / 100).toFixed(2);
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(target, 1))) - 1);
  return String(Math.ceil(target / magnitude) * magnitude);
}
