import type { Usage } from '../../domain/index.js';
import type { AttemptSpend, StoredSpend } from './load-spend.js';
import type { Spend } from './spend.js';
import { tokensOf } from './spend.js';

/** The parts of a run's spending the tally reads: its attempts, other charges, driven stretches. */
export type SpendRecords = Pick<StoredSpend, 'attempts' | 'charges' | 'stretches'>;

/** What the whole run has spent by `nowMs`: wall time counts only while an engine drove it. */
export function runSpend(records: SpendRecords, nowMs: number): Spend {
  const spend = sum([...records.attempts.values()], [...records.charges.values()], nowMs);
  spend.wall_time_s =
    records.stretches.reduce((s, [start, end]) => s + Math.max(0, (end ?? nowMs) - start), 0) / 1000;
  return spend;
}

/** What one task has spent by `nowMs`: wall time is the time its attempts' sessions ran. */
export function taskSpend(records: SpendRecords, taskId: string, nowMs: number): Spend {
  const own = [...records.attempts.values()].filter((a) => a.taskId === taskId);
  const charge = records.charges.get(taskId);
  return sum(own, charge ? [charge] : [], nowMs);
}

function sum(attempts: readonly AttemptSpend[], charges: readonly Usage[], nowMs: number): Spend {
  const spend: Spend = {
    cost_usd: 0,
    tokens: 0,
    wall_time_s: 0,
    attempts: attempts.filter((a) => a.counts).length,
  };
  for (const usage of [...attempts.map((a) => a.usage), ...charges]) {
    if (!usage) continue;
    spend.cost_usd += usage.costUsd;
    spend.tokens += tokensOf(usage);
  }
  for (const a of attempts)
    spend.wall_time_s += Math.max(0, (a.finishedAtMs ?? nowMs) - a.startedAtMs) / 1000;
  return spend;
}
