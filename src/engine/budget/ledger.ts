import type { Usage } from '../../domain/index.js';
import { addUsage, ZERO_USAGE } from '../../domain/index.js';
import type { SpendMeter } from '../run-context.js';
import type { EffectiveLimits } from './limits.js';
import type { StoredSpend } from './load-spend.js';
import type { AttemptEstimate, Breach } from './spend.js';
import { breachBeforeAttempt, breachOf, overrunOf } from './spend.js';
import type { SpendRecords } from './tally.js';
import { runSpend, taskSpend } from './tally.js';

/**
 * How much the work in flight may still spend once a limit is reached, as a fraction of the
 * limit: an agent that goes on spending past that is interrupted — resumably — at once.
 */
export const DRAIN_ALLOWANCE = 0.1;

/** How often wall time is looked at when nothing else happens (an agent thinking quietly). */
const TICK_MS = 1000;

export interface LedgerHooks {
  /** A limit was reached: start nothing more, let the work in flight reach its end, then pause. */
  onBreach(breach: Breach): void;
  /** The work in flight went on past the reached limit by more than DRAIN_ALLOWANCE: stop it now. */
  onOverrun(breach: Breach): void;
}

/**
 * One drive's budget ledger: what was spent before it (from the records) plus what its sessions
 * report as they stream, checked against the run's and each task's limits on every report and
 * every second. It trips once per drive; a resume after a raise starts a new ledger.
 */
export class BudgetLedger implements SpendMeter {
  /** The stored spending, then this drive's sessions and charges as they report. */
  private readonly records: SpendRecords;
  private tripped: Breach | undefined;
  private overran = false;
  /** Every limit found reached since the trip, with what was spent when it was: the drain is measured from there. */
  private readonly reached = new Map<string, Breach>();
  /** Tasks that passed or ended: their own limits stop no one any more. */
  private readonly settled: Set<string>;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly taskLimitsById: Map<string, EffectiveLimits['run']>;

  constructor(
    stored: StoredSpend,
    private readonly limits: EffectiveLimits,
    private readonly hooks: LedgerHooks,
    settledTasks: Iterable<string> = [],
    private readonly now: () => number = Date.now,
  ) {
    this.settled = new Set(settledTasks);
    this.taskLimitsById = new Map(limits.tasks);
    this.records = {
      attempts: new Map(stored.attempts),
      charges: new Map(stored.charges),
      stretches: stored.stretches,
    };
  }

  /** Watches wall time until {@link dispose}. */
  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), TICK_MS);
    this.timer.unref();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
  }

  charge(taskId: string, usage: Usage): void {
    this.records.charges.set(taskId, addUsage(this.records.charges.get(taskId) ?? ZERO_USAGE, sane(usage)));
    this.check();
  }

  /** Tasks a replan added: their limits (the plan's per_task, or their template's) count from now on. */
  addTasks(limits: EffectiveLimits['tasks']): void {
    for (const [taskId, set] of limits)
      if (!this.taskLimitsById.has(taskId)) this.taskLimitsById.set(taskId, set);
  }

  /** The task passed or ended: what it spent still counts for the run, its own limits no more. */
  taskSettled(taskId: string): void {
    this.settled.add(taskId);
  }

  /**
   * Whether attempt N+1 of `taskId` may start: refused once a limit was reached (the run is
   * pausing), or when this one would reach one — counted against both the run and the task. A
   * resume after a pause is no new try of the work: the attempts limit does not refuse it.
   */
  beforeAttempt(taskId: string, estimate: AttemptEstimate, counts: boolean): Breach | undefined {
    if (this.tripped) return this.tripped;
    const now = this.now();
    const limitsFor = (limits: EffectiveLimits['run']) => {
      if (counts) return limits;
      const { attempts: _attempts, ...rest } = limits;
      return rest;
    };
    const refused =
      breachBeforeAttempt(runSpend(this.records, now), limitsFor(this.limits.run), estimate, 'run') ??
      breachBeforeAttempt(
        taskSpend(this.records, taskId, now),
        limitsFor(this.taskLimits(taskId)),
        estimate,
        'task',
        taskId,
      );
    if (refused) this.trip(refused);
    return refused;
  }

  attemptStarted(attemptId: string, taskId: string, counts: boolean): void {
    this.records.attempts.set(attemptId, {
      taskId,
      counts,
      usage: null,
      startedAtMs: this.now(),
      finishedAtMs: null,
    });
  }

  /** A session's running total, as it streams: it only grows (an agent cannot spend its way back). */
  sessionUsage(attemptId: string, usage: Usage): void {
    const attempt = this.records.attempts.get(attemptId);
    if (attempt) attempt.usage = grown(attempt.usage, usage);
    this.check();
  }

  sessionEnded(attemptId: string, usage: Usage | undefined): void {
    const attempt = this.records.attempts.get(attemptId);
    if (!attempt) return;
    if (usage) attempt.usage = grown(attempt.usage, usage);
    attempt.finishedAtMs = this.now();
    this.check();
  }

  private check(): void {
    const now = this.now();
    const reached = this.reachedLimits(now);
    if (!this.tripped) {
      const first = reached[0];
      if (first) this.trip(first);
      return;
    }
    // Draining: every limit reached (the one that tripped, or another since) may take a tenth
    // more from when it was first found reached; past that, the work in flight stops now.
    for (const breach of reached) {
      const key = `${breach.scope}/${breach.taskId ?? ''}/${breach.limit}`;
      const since = this.reached.get(key);
      if (!since) this.reached.set(key, breach);
      else if (!this.overran && overrunOf(spendAt(breach), since, DRAIN_ALLOWANCE)) {
        this.overran = true;
        this.hooks.onOverrun(breach);
        return;
      }
    }
  }

  /** Every limit reached now, the run's first, then each unsettled task's. */
  private reachedLimits(now: number): Breach[] {
    const all: Breach[] = [];
    all.push(...allBreaches(runSpend(this.records, now), this.limits.run, 'run'));
    for (const [taskId, limits] of this.taskLimitsById) {
      if (this.settled.has(taskId) || Object.keys(limits).length === 0) continue;
      all.push(...allBreaches(taskSpend(this.records, taskId, now), limits, 'task', taskId));
    }
    return all;
  }

  private trip(breach: Breach): void {
    this.tripped = breach;
    this.reached.set(`${breach.scope}/${breach.taskId ?? ''}/${breach.limit}`, breach);
    this.hooks.onBreach(breach);
  }

  private taskLimits(taskId: string) {
    return this.taskLimitsById.get(taskId) ?? {};
  }
}

/** Every limit of `limits` that `spent` has reached (a breach per limit, attempts aside). */
function allBreaches(
  spent: Parameters<typeof breachOf>[0],
  limits: EffectiveLimits['run'],
  scope: 'run' | 'task',
  taskId?: string,
): Breach[] {
  const out: Breach[] = [];
  for (const limit of ['cost_usd', 'tokens', 'wall_time_s'] as const) {
    const max = limits[limit];
    if (max === undefined) continue;
    const one = breachOf(spent, { [limit]: max }, scope, taskId);
    if (one) out.push(one);
  }
  return out;
}

/** A breach's spending as a Spend, for {@link overrunOf} (only its own limit is read). */
function spendAt(breach: Breach): Parameters<typeof overrunOf>[0] {
  return { cost_usd: 0, tokens: 0, wall_time_s: 0, attempts: 0, [breach.limit]: breach.spent };
}

/** A usage report with what cannot be spending (negative, not a number) taken as nothing. */
function sane(usage: Usage): Usage {
  const ok = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);
  return {
    inputTokens: ok(usage.inputTokens),
    outputTokens: ok(usage.outputTokens),
    cachedInputTokens: ok(usage.cachedInputTokens),
    costUsd: ok(usage.costUsd),
  };
}

/** A session's new running total: never below what it reported before, field by field. */
function grown(before: Usage | null, report: Usage): Usage {
  const now = sane(report);
  if (!before) return now;
  return {
    inputTokens: Math.max(before.inputTokens, now.inputTokens),
    outputTokens: Math.max(before.outputTokens, now.outputTokens),
    cachedInputTokens: Math.max(before.cachedInputTokens, now.cachedInputTokens),
    costUsd: Math.max(before.costUsd, now.costUsd),
  };
}
