import type { AgentFailure, AgentFailureKind } from './agent.js';

/**
 * How the engine retries a task whose agent session failed for a transient reason (rate limit,
 * outage, timeout, crash), as plain data so a plan can tune it and tests can reason about it.
 * Retries under this policy do not spend rework: rework is for work that was judged wrong.
 */
export interface RetryPolicy {
  /** Retries of transient failures per task before the failure counts as a normal setback. */
  attempts: number;
  /** Wait before the first retry. */
  initial_interval_s: number;
  /** Factor the wait grows by with every further retry. */
  backoff: number;
  /** Upper bound of any wait, the server's Retry-After included. */
  max_interval_s: number;
  /** Failure kinds never retried, whatever their own `retryable` says. */
  non_retryable: AgentFailureKind[];
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 3,
  initial_interval_s: 2,
  backoff: 2,
  max_interval_s: 60,
  non_retryable: ['auth', 'config', 'binary_missing', 'task_failed'],
};

/** Delay before retry number `retriesSoFar + 1`, or undefined when the failure must not be retried. Honors retryAfterMs (never shorter than it, capped by max_interval_s). */
export function retryDelayMs(
  policy: RetryPolicy,
  failure: AgentFailure,
  retriesSoFar: number,
): number | undefined {
  if (!failure.retryable || policy.non_retryable.includes(failure.kind)) return undefined;
  if (retriesSoFar >= policy.attempts) return undefined;
  const capMs = policy.max_interval_s * 1000;
  const backoffMs = policy.initial_interval_s * 1000 * policy.backoff ** Math.max(0, retriesSoFar);
  const wanted = Math.max(backoffMs, failure.retryAfterMs ?? 0);
  return Math.round(Math.min(wanted, capMs));
}
