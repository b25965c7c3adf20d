import { describe, expect, it } from 'vitest';
import type { Usage } from '../../domain/index.js';
import { BudgetLedger } from './ledger.js';
import type { EffectiveLimits } from './limits.js';
import type { StoredSpend } from './load-spend.js';
import type { Breach } from './spend.js';

const usage = (tokens: number, costUsd = 0): Usage => ({
  inputTokens: 0,
  outputTokens: tokens,
  cachedInputTokens: 0,
  costUsd,
});

function ledgerOf(limits: EffectiveLimits, settled: string[] = [], stored: Partial<StoredSpend> = {}) {
  const seen: { breaches: Breach[]; overruns: Breach[] } = { breaches: [], overruns: [] };
  let clock = 1_000_000;
  const ledger = new BudgetLedger(
    { attempts: new Map(), charges: new Map(), stretches: [[clock, null]], raises: [], ...stored },
    limits,
    { onBreach: (b) => seen.breaches.push(b), onOverrun: (b) => seen.overruns.push(b) },
    settled,
    () => clock,
  );
  return { ledger, seen, tick: (ms: number) => (clock += ms) };
}

const NO_ESTIMATE = { tokens: 0, cost_usd: 0 };

describe('BudgetLedger', () => {
  it('trips once on the first limit reached, then refuses every attempt until the drive ends', () => {
    const { ledger, seen } = ledgerOf({ run: { tokens: 1000 }, tasks: new Map() });
    ledger.attemptStarted('a1', 'a', true);
    ledger.sessionUsage('a1', usage(600));
    expect(seen.breaches).toEqual([]);
    ledger.sessionUsage('a1', usage(1000));
    expect(seen.breaches).toEqual([{ scope: 'run', limit: 'tokens', spent: 1000, max: 1000 }]);
    ledger.sessionUsage('a1', usage(1050));
    expect(seen.breaches).toHaveLength(1);
    expect(ledger.beforeAttempt('b', NO_ESTIMATE, true)).toMatchObject({ limit: 'tokens' });
  });

  it('bounds the drain on every limit, not only the one that tripped', () => {
    const { ledger, seen } = ledgerOf({
      run: { tokens: 5000 },
      tasks: new Map([
        ['a', { attempts: 1 }],
        ['b', {}],
      ]),
    });
    ledger.attemptStarted('a1', 'a', true);
    ledger.attemptStarted('b1', 'b', true);
    // a's rework is refused by its attempts limit: the run drains.
    expect(ledger.beforeAttempt('a', NO_ESTIMATE, true)).toMatchObject({ scope: 'task', limit: 'attempts' });
    // b, in flight, reaches the run's tokens, then goes on past a tenth of it.
    ledger.sessionUsage('b1', usage(5000));
    expect(seen.overruns).toEqual([]);
    ledger.sessionUsage('b1', usage(5400));
    expect(seen.overruns).toEqual([]);
    ledger.sessionUsage('b1', usage(5500));
    expect(seen.overruns).toEqual([{ scope: 'run', limit: 'tokens', spent: 5500, max: 5000 }]);
  });

  it('takes no lie about usage: a NaN or negative report is nothing, a total never shrinks', () => {
    const { ledger, seen } = ledgerOf({ run: { tokens: 1000, cost_usd: 1 }, tasks: new Map() });
    ledger.attemptStarted('a1', 'a', true);
    ledger.sessionUsage('a1', { ...usage(900), costUsd: Number.NaN, inputTokens: -5000 });
    ledger.sessionEnded('a1', usage(0));
    ledger.charge('a', { ...usage(Number.NaN), costUsd: -3 });
    expect(seen.breaches).toEqual([]);
    ledger.attemptStarted('a2', 'a', true);
    ledger.sessionUsage('a2', usage(100));
    expect(seen.breaches).toEqual([{ scope: 'run', limit: 'tokens', spent: 1000, max: 1000 }]);
  });

  it('stops no one for a settled task, and lets a resume after a pause past an attempts limit', () => {
    const stored: Partial<StoredSpend> = {
      attempts: new Map([
        ['done1', { taskId: 'done', counts: true, usage: usage(500), startedAtMs: 0, finishedAtMs: 1 }],
        ['b1', { taskId: 'b', counts: true, usage: null, startedAtMs: 0, finishedAtMs: 1 }],
      ]),
    };
    const limits: EffectiveLimits = {
      run: {},
      tasks: new Map([
        ['done', { tokens: 400 }],
        ['b', { attempts: 1 }],
      ]),
    };
    const { ledger, seen } = ledgerOf(limits, ['done'], stored);
    ledger.start();
    ledger.dispose();
    expect(seen.breaches).toEqual([]);
    expect(ledger.beforeAttempt('b', NO_ESTIMATE, false)).toBeUndefined();
    expect(ledger.beforeAttempt('b', NO_ESTIMATE, true)).toMatchObject({
      limit: 'attempts',
      spent: 1,
      max: 1,
    });
  });

  it('counts the wall time of the drive stretches and refuses an attempt whose least cost does not fit', () => {
    const { ledger, seen, tick } = ledgerOf({ run: { wall_time_s: 10, cost_usd: 1 }, tasks: new Map() });
    expect(ledger.beforeAttempt('a', { tokens: 10, cost_usd: 0.4 }, true)).toBeUndefined();
    tick(9_000);
    expect(seen.breaches).toEqual([]);
    expect(ledger.beforeAttempt('a', { tokens: 10, cost_usd: 1.5 }, true)).toEqual({
      scope: 'run',
      limit: 'cost_usd',
      spent: 0,
      max: 1,
      estimate: 1.5,
    });
  });
});
