import { describe, expect, it } from 'vitest';
import { agentFailure } from './agent.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from './retry.js';
import type { RetryPolicy } from './retry.js';

const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY };

describe('retryDelayMs', () => {
  it('backs off exponentially from the initial interval, up to max_interval_s', () => {
    const failure = agentFailure('server_error', '503');
    expect([0, 1, 2].map((n) => retryDelayMs(policy, failure, n))).toEqual([2000, 4000, 8000]);
    const long = { ...policy, attempts: 10 };
    expect(retryDelayMs(long, failure, 6)).toBe(60_000);
  });

  it('stops after `attempts` retries', () => {
    const failure = agentFailure('crashed', 'exit 1');
    expect(retryDelayMs(policy, failure, 2)).toBe(8000);
    expect(retryDelayMs(policy, failure, 3)).toBeUndefined();
    expect(retryDelayMs({ ...policy, attempts: 0 }, failure, 0)).toBeUndefined();
  });

  it('never waits less than the server asked, but no longer than max_interval_s', () => {
    expect(retryDelayMs(policy, agentFailure('rate_limited', '429', { retryAfterMs: 10 }), 0)).toBe(2000);
    expect(retryDelayMs(policy, agentFailure('rate_limited', '429', { retryAfterMs: 30_000 }), 0)).toBe(
      30_000,
    );
    expect(retryDelayMs(policy, agentFailure('rate_limited', '429', { retryAfterMs: 600_000 }), 0)).toBe(
      60_000,
    );
  });

  it('does not retry configuration failures or failed work', () => {
    for (const kind of ['auth', 'config', 'binary_missing', 'task_failed'] as const)
      expect(retryDelayMs(policy, agentFailure(kind, kind), 0), kind).toBeUndefined();
  });

  it('lets the policy refuse a kind that would otherwise be retried', () => {
    const strict = { ...policy, non_retryable: [...policy.non_retryable, 'timeout' as const] };
    expect(retryDelayMs(strict, agentFailure('timeout', 'slow'), 0)).toBeUndefined();
    expect(retryDelayMs(strict, agentFailure('crashed', 'exit 1'), 0)).toBe(2000);
  });

  it('respects a failure marked not retryable even when the policy would allow its kind', () => {
    const failure = { ...agentFailure('server_error', '500'), retryable: false };
    expect(retryDelayMs({ ...policy, non_retryable: [] }, failure, 0)).toBeUndefined();
  });

  it('retries at once with a zero interval', () => {
    const quick = { ...policy, initial_interval_s: 0 };
    expect(retryDelayMs(quick, agentFailure('crashed', 'boom'), 1)).toBe(0);
  });
});

describe('agentFailure', () => {
  it('derives retryable from the kind', () => {
    const retryable = ['rate_limited', 'server_error', 'timeout', 'crashed'] as const;
    const fatal = ['auth', 'config', 'binary_missing', 'task_failed'] as const;
    for (const kind of retryable) expect(agentFailure(kind, 'x').retryable, kind).toBe(true);
    for (const kind of fatal) expect(agentFailure(kind, 'x').retryable, kind).toBe(false);
  });

  it('keeps only the extras that are given', () => {
    expect(agentFailure('auth', 'refused', { hint: 'check the key' })).toEqual({
      kind: 'auth',
      retryable: false,
      message: 'refused',
      hint: 'check the key',
    });
    expect(agentFailure('rate_limited', '429', { retryAfterMs: 5 })).toEqual({
      kind: 'rate_limited',
      retryable: true,
      message: '429',
      retryAfterMs: 5,
    });
  });
});
