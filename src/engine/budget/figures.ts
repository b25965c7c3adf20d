import type { BudgetLimit } from '../../domain/index.js';

/** A limit's value as people read it: `$1.23`, `105,300 tokens`, `12m 05s`, `4 attempts`. */
export function formatFigure(limit: BudgetLimit, value: number): string {
  switch (limit) {
    case 'cost_usd':
      return `$${value < 10 ? value.toFixed(4) : value.toFixed(2)}`;
    case 'tokens':
      return `${Math.round(value).toLocaleString('en-US')} tokens`;
    case 'wall_time_s':
      return formatSeconds(value);
    case 'attempts':
      return `${value} attempt${value === 1 ? '' : 's'}`;
  }
}

function formatSeconds(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  const rest = String(whole % 60).padStart(2, '0');
  if (minutes < 60) return `${minutes}m ${rest}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m ${rest}s`;
}

/** `the run's tokens`, `task parse-args's cost_usd`: whose limit, in words. */
export function limitOwner(scope: 'run' | 'task', limit: BudgetLimit, taskId?: string): string {
  return scope === 'run' ? `the run's ${limit}` : `task ${taskId ?? '?'}'s ${limit}`;
}

/** A reached limit in one line: `the run's tokens limit is reached: 105,300 tokens of 100,000 tokens`. */
export function describeBreach(breach: {
  scope: 'run' | 'task';
  taskId?: string;
  limit: BudgetLimit;
  spent: number;
  max: number;
  estimate?: number;
}): string {
  const figures = `${formatFigure(breach.limit, breach.spent)} of ${formatFigure(breach.limit, breach.max)}`;
  if (breach.limit === 'attempts')
    return `budget: ${limitOwner(breach.scope, breach.limit, breach.taskId)} limit allows no further attempt (${figures} started)`;
  const next =
    breach.estimate === undefined
      ? ''
      : `; the next attempt needs at least ${formatFigure(breach.limit, breach.estimate)}`;
  return `budget: ${limitOwner(breach.scope, breach.limit, breach.taskId)} limit is reached (${figures} spent${next})`;
}
