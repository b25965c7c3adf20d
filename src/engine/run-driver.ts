import type { PauseCause, RunRecord, TaskRecord, TaskStatus, TaskTransition } from '../domain/index.js';
import {
  GafferError,
  isTerminalTask,
  runCancelled,
  runCompleted,
  runFailed,
  runPaused,
  taskCancelled,
  taskReady,
  taskRequeued,
  taskSkipped,
} from '../domain/index.js';
import { effectiveDependencies } from '../plan/index.js';
import type { SchedAction, SchedEvent, SchedulerState, SchedStatus } from './scheduler/index.js';
import { createSchedulerState, schedule } from './scheduler/index.js';
import type { ControlRequest } from './control/index.js';
import { watchControlRequests } from './control/index.js';
import type { RunContext } from './run-context.js';
import { agentFor } from './run-context.js';
import { fencedRepo } from './fenced-repo.js';
import { fencedStore } from './fenced-store.js';
import { LeaseKeeper } from './lease-keeper.js';
import { errorMessage } from './logger.js';
import { requeueInterrupted, startOrResume } from './recovery.js';
import { baselineDue, runBaseline } from './baseline/index.js';
import { removeHealthCheckout } from './health/health-check.js';
import { MergeLane } from './health/merge-lane.js';
import { assertSandboxAvailable, sandboxOff } from './sandbox/index.js';
import { StopRequest } from './stop-request.js';
import type { TaskOutcome } from './pipeline/index.js';
import { runTaskPipeline } from './pipeline/index.js';
import type { Breach } from './budget/index.js';
import { ensureKnowledge } from './knowledge/index.js';
import { finalReviewGate } from './final-review/index.js';
import { replanDue, replanRun } from './replan/index.js';
import { BudgetLedger, describeBreach, effectiveLimits, hasLimits, loadSpend } from './budget/index.js';

export interface DriveOptions {
  ownerId: string;
  leaseTtlMs: number;
  heartbeatMs: number;
  /** How often to look for pause/cancel requests from other processes. */
  controlPollMs: number;
  /** Aborting this pauses the run (e.g. Ctrl-C in the CLI). */
  signal?: AbortSignal;
}

/** What a pause puts back to `ready`: a task mid-pipeline, never one that waits for approval. */
const REQUEUED_FROM: TaskStatus[] = ['running', 'evaluating', 'rework'];

const SCHED_STATUS: Record<TaskStatus, SchedStatus> = {
  pending: 'waiting',
  ready: 'ready',
  running: 'ready',
  evaluating: 'ready',
  awaiting_approval: 'ready',
  rework: 'ready',
  passed: 'passed',
  blocked: 'blocked',
  skipped: 'skipped',
  cancelled: 'cancelled',
  superseded: 'passed',
};

/**
 * Drives one run until it completes, fails, is cancelled or paused, holding its lease
 * throughout. The scheduler decides; the {@link RunDriver} performs its actions and feeds it
 * task outcomes one at a time.
 */
export async function driveRun(ctx: RunContext, options: DriveOptions): Promise<RunRecord> {
  let onLost = (_why: string): void => undefined;
  const keeper = new LeaseKeeper(ctx.store, ctx.run.id, options.ownerId, {
    ttlMs: options.leaseTtlMs,
    heartbeatMs: options.heartbeatMs,
    onLost: (why) => onLost(why),
  });
  const lease = await keeper.acquire();
  // Every write of this drive is fenced: the database's by the lease token, git's by the lease's freshness.
  const driver = new RunDriver(
    {
      ...ctx,
      store: fencedStore(ctx.store, lease),
      repo: fencedRepo(ctx.repo, () => keeper.assertFresh()),
      mergeLane: new MergeLane(),
    },
    options,
  );
  onLost = (why) => driver.leaseLost(why);
  try {
    return await driver.drive();
  } finally {
    if (!driver.lostLease) await keeper.release();
  }
}

class RunDriver {
  private readonly inFlight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Ends the control watch when the drive ends. */
  private readonly watch = new AbortController();
  private state: SchedulerState | undefined;
  private queue = Promise.resolve();
  private finished = false;
  private stop: { reason: string; by: PauseCause } | undefined;
  private cancelReason: string | undefined;
  /** The first stop requested before the scheduler started (during the baseline). */
  private earlyStop: 'pause' | 'cancel' | undefined;
  /** Stops the baseline's checks on a pause, a cancel or a lost lease. */
  private readonly baselineStop = new AbortController();
  /** Stops the final review the same way. */
  private readonly finalStop = new AbortController();
  lostLease: string | undefined;
  private settleRun: { resolve: (run: RunRecord) => void; reject: (error: Error) => void } | undefined;
  /** The budget breakers of this drive, when the plan sets a limit. */
  private ledger: BudgetLedger | undefined;

  constructor(
    private readonly ctx: RunContext,
    private readonly options: DriveOptions,
  ) {}

  async drive(): Promise<RunRecord> {
    const { ctx } = this;
    // Fail closed: a machine that cannot sandbox starts nothing (a resume on another machine too).
    await assertSandboxAvailable(sandboxOff(ctx.run));
    ctx.run = await startOrResume(ctx, this.options.ownerId);
    if (sandboxOff(ctx.run)) await warnUnsandboxed(ctx);
    try {
      // Inside the try: a failure here too (processes that will not end) pauses the run it started.
      await requeueInterrupted(ctx);
      // Stops are heard from here on: a pause or Ctrl-C during the baseline counts.
      this.listenForStops(await ctx.store.lastEventId(ctx.run.id));
      await this.checkBaseFirst();
      await this.openLedger();
      const tasks = await ctx.store.listTasks(ctx.run.id);
      this.state = createSchedulerState(schedTasks(ctx.run), schedConfig(ctx.run), initialStatuses(tasks));
      const done = new Promise<RunRecord>((resolve, reject) => (this.settleRun = { resolve, reject }));
      // A stop that came before the scheduler existed is its first event: no task starts.
      this.feed(this.earlyStop ? { type: this.earlyStop } : { type: 'start' });
      return await done;
    } catch (error) {
      await this.settleInFlight();
      await this.recordEngineStop(error);
      throw error;
    } finally {
      await this.settleInFlight();
      this.ledger?.dispose();
      await removeHealthCheckout(ctx);
    }
  }

  /**
   * The budget breakers: what the records say was spent, the limits with every raise, and from
   * here on every session's usage as it streams. Pipelines ask it before each attempt.
   */
  private async openLedger(): Promise<void> {
    const { ctx } = this;
    // A raise only ever raises a limit the plan sets: a plan without one needs no ledger, nor its reads.
    if (!hasLimits(effectiveLimits(ctx.run.plan, []))) return;
    const stored = await loadSpend(ctx.store, ctx.run);
    const limits = effectiveLimits(ctx.run.plan, stored.raises);
    const settled = (await ctx.store.listTasks(ctx.run.id)).filter((t) => isTerminalTask(t.status));
    this.ledger = new BudgetLedger(
      stored,
      limits,
      {
        onBreach: (breach) => this.budgetReached(breach),
        onOverrun: (breach) =>
          this.stopAll(
            new StopRequest('pause', `${describeBreach(breach)}; stopped while going on past the limit`),
          ),
      },
      settled.map((t) => t.taskId),
    );
    ctx.spend = this.ledger;
    this.ledger.start();
  }

  /**
   * A limit was reached: it is recorded, nothing new starts, and the attempts in flight go on to
   * their end (their work is kept, evaluated and merged) — then the run pauses by `budget`.
   */
  private budgetReached(breach: Breach): void {
    const reason = describeBreach(breach);
    this.ctx.logger.warn('a budget limit is reached: the run pauses', { runId: this.ctx.run.id, reason });
    // Reached before the scheduler started (spent before this drive): no task starts.
    if (!this.state) this.earlyStop ??= 'pause';
    const { taskId, ...data } = breach;
    // In the queue, so the pause's reason is set only where its breach is recorded: a run that
    // finished meanwhile records neither.
    this.queue = this.queue
      .then(async () => {
        if (this.finished) return;
        await this.ctx.store.transaction((tx) =>
          tx.appendEvent({
            type: 'run.budget-exceeded',
            runId: this.ctx.run.id,
            ...(taskId === undefined ? {} : { taskId }),
            data,
          }),
        );
        this.stop ??= { reason, by: 'budget' };
      })
      .catch((error: unknown) => this.fail(error));
    this.feed({ type: 'pause' });
  }

  /**
   * The base's own check results, recorded once before any task starts (under this drive's
   * lease, so a second engine cannot run them at the same time and a pause stops them). A
   * stopped baseline records nothing and runs again on the next drive; a failing one under
   * `require_green` fails the run with its report.
   */
  private async checkBaseFirst(): Promise<void> {
    const { ctx } = this;
    const due = await baselineDue(ctx.store, ctx.run.id);
    if (due === undefined) return;
    await runBaseline({
      ...ctx,
      logger: ctx.logger.child('baseline'),
      signal: this.baselineStop.signal,
      // After a retry the machine may have changed (a tool installed): what was cached is not asked.
      useCache: due === 'first',
    });
    if (this.lostLease)
      throw new GafferError('GAFFER_LEASE_HELD', `lost the lease of run ${ctx.run.id}: ${this.lostLease}`);
  }

  private async settleInFlight(): Promise<void> {
    this.watch.abort();
    await Promise.allSettled([...this.inFlight.values()].map((entry) => entry.done));
  }

  /**
   * A run stopped by an engine error is recorded as paused with the error, never left `running`
   * for nobody; after a lost lease another engine owns it and nothing is written.
   */
  private async recordEngineStop(error: unknown): Promise<void> {
    if (this.lostLease) return;
    const { store, run, logger } = this.ctx;
    try {
      await store.transaction(async (tx) => {
        if ((await tx.getRun(run.id))?.status === 'running')
          await tx.apply(runPaused(run.id, `engine error: ${errorMessage(error)}`, 'error'));
      });
    } catch (recordError) {
      logger.error('could not record the engine error on the run', {
        runId: run.id,
        error: errorMessage(recordError),
      });
    }
  }

  leaseLost(why: string): void {
    this.lostLease = why;
    this.stopAll(new StopRequest('lease-lost', why));
  }

  private listenForStops(after: number): void {
    const { signal } = this.options;
    const onAbort = () =>
      this.requestStop({
        kind: 'pause',
        reason: typeof signal?.reason === 'string' ? signal.reason : 'interrupted',
        by: 'signal',
      });
    signal?.addEventListener('abort', onAbort, { once: true });
    // A Ctrl-C while the run was starting up must count too.
    if (signal?.aborted) onAbort();
    void watchControlRequests(
      this.ctx.store,
      this.ctx.run.id,
      { after, pollMs: this.options.controlPollMs, signal: this.watch.signal, logger: this.ctx.logger },
      (request) => this.requestStop(request),
      (taskId) => this.feed({ type: 'task-decided', taskId }),
    );
  }

  private requestStop(request: ControlRequest): void {
    // A cancel says why in its own words, whatever paused the run before.
    if (request.kind === 'cancel') this.cancelReason ??= request.reason;
    this.stop ??= { reason: request.reason, by: request.kind === 'pause' ? request.by : 'user' };
    if (!this.state) this.earlyStop = request.kind === 'cancel' ? 'cancel' : (this.earlyStop ?? 'pause');
    this.feed({ type: request.kind });
    this.stopAll(new StopRequest(request.kind, request.reason));
  }

  private stopAll(stop: StopRequest): void {
    if (!this.baselineStop.signal.aborted) this.baselineStop.abort(stop);
    if (!this.finalStop.signal.aborted) this.finalStop.abort(stop);
    for (const { controller } of this.inFlight.values())
      if (!controller.signal.aborted) controller.abort(stop);
  }

  /** The scheduler sees one event at a time, in order; its actions run before the next event. */
  private feed(event: SchedEvent): void {
    this.queue = this.queue
      .then(async () => {
        if (this.finished || !this.state) return;
        if (this.lostLease)
          throw new GafferError(
            'GAFFER_LEASE_HELD',
            `lost the lease of run ${this.ctx.run.id}: ${this.lostLease}`,
          );
        const next = schedule(this.state, event);
        this.state = next.state;
        for (const action of next.actions) await this.perform(action);
      })
      .catch((error: unknown) => this.fail(error));
  }

  /**
   * An engine error (git, store) stops the run where it is: attempts are interrupted like a
   * pause, so `gaffer resume` continues once the cause is fixed; nothing is cancelled.
   */
  private fail(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.ctx.logger.error('the run stopped on an engine error', {
      runId: this.ctx.run.id,
      error: errorMessage(error),
    });
    this.stopAll(new StopRequest('pause', `engine error: ${errorMessage(error)}`));
    this.settleRun?.reject(
      error instanceof Error
        ? error
        : new GafferError('GAFFER_INTERNAL', `the run stopped: ${String(error)}`),
    );
  }

  private async perform(action: SchedAction): Promise<void> {
    const runId = this.ctx.run.id;
    switch (action.type) {
      case 'mark-ready':
        return moveTask(this.ctx, taskReady(runId, action.taskId), ['pending']);
      case 'dispatch':
        return this.dispatch(action.taskId);
      case 'skip':
        return moveTask(this.ctx, taskSkipped(runId, action.taskId, action.reason));
      case 'cancel-task':
        return moveTask(this.ctx, taskCancelled(runId, action.taskId, action.reason));
      case 'finish': {
        // A blocked task may have the planner replace the unfinished part: the run goes on.
        if (action.outcome === 'failed') {
          const replan = await this.replan();
          if (replan === 'replanned') return;
          if (replan === 'stopped') {
            this.finished = true;
            this.settleRun?.resolve(await finishRun(this.ctx, ...this.stoppedEnd('the replan')));
            return;
          }
        }
        this.finished = true;
        const end =
          action.outcome === 'completed'
            ? await this.afterFinalReview()
            : { outcome: action.outcome, why: this.endReason(action) };
        this.settleRun?.resolve(await finishRun(this.ctx, end.outcome, end.why));
        return;
      }
    }
  }

  /**
   * A run about to fail on a blocked task, with a planner and replans left: the planner writes
   * a new plan for the unfinished part (recorded); the scheduler starts over on the new graph.
   */
  private async replan(): Promise<'replanned' | 'none' | 'stopped'> {
    const due = await replanDue(this.ctx);
    if (!due) return 'none';
    const tasks = await this.ctx.store.listTasks(this.ctx.run.id);
    if (!tasks.some((t) => t.status === 'blocked')) return 'none';
    const outcome = await replanRun(this.ctx, due, this.finalStop.signal);
    if (outcome.type === 'stopped') return 'stopped';
    if (outcome.type === 'failed') return 'none';
    this.ctx.run = outcome.run;
    this.ledger?.addTasks(effectiveLimits(outcome.run.plan, []).tasks);
    this.state = createSchedulerState(
      schedTasks(outcome.run),
      schedConfig(outcome.run),
      initialStatuses(await this.ctx.store.listTasks(this.ctx.run.id)),
    );
    this.feed({ type: 'start' });
    return 'replanned';
  }

  /** How a run stopped during its replan or final review ends: cancelled, or paused by what asked. */
  private stoppedEnd(during: string): ['cancelled' | 'paused', { reason: string; by: PauseCause }] {
    if (this.cancelReason !== undefined) return ['cancelled', { reason: this.cancelReason, by: 'user' }];
    return ['paused', this.stop ?? { reason: `stopped during ${during}`, by: 'user' }];
  }

  /**
   * Every task passed: the final review decides whether the run completes now, waits for a
   * person's approval of it (paused by `approval`), or ends failed on a denial. A stop during the
   * review pauses (or cancels) the run; the review runs again on resume.
   */
  private async afterFinalReview(): Promise<{
    outcome: 'completed' | 'failed' | 'cancelled' | 'paused';
    why: { reason: string; by: PauseCause };
  }> {
    const gate = await finalReviewGate(this.ctx, this.finalStop.signal);
    switch (gate.type) {
      case 'complete':
        return { outcome: 'completed', why: { reason: 'completed', by: 'user' } };
      case 'wait':
        return {
          outcome: 'paused',
          why: {
            reason: `waiting for approval of the final review: gaffer approve ${gate.approvalId}`,
            by: 'approval',
          },
        };
      case 'denied':
        return { outcome: 'failed', why: { reason: gate.reason, by: 'user' } };
      case 'stopped': {
        const [outcome, why] = this.stoppedEnd('the final review');
        return { outcome, why };
      }
    }
  }

  /**
   * Why the run ends as it does: a failure by its blocked task, a cancel by the cancel's reason,
   * a pause by what asked for it (a person, a signal, a budget) or by the approvals it waits for.
   */
  private endReason(action: Extract<SchedAction, { type: 'finish' }>): { reason: string; by: PauseCause } {
    const fallback = {
      reason: action.reason ?? action.outcome,
      by: action.awaiting === undefined ? ('user' as const) : ('approval' as const),
    };
    if (action.outcome === 'failed') return fallback;
    if (action.outcome === 'cancelled') return { reason: this.cancelReason ?? fallback.reason, by: 'user' };
    return this.stop ?? fallback;
  }

  private dispatch(taskId: string): void {
    const controller = new AbortController();
    const done = runTaskPipeline(this.ctx, taskId, controller.signal)
      .then((outcome) => this.settle(taskId, outcome))
      .catch((error: unknown) => this.fail(error))
      .finally(() => this.inFlight.delete(taskId));
    this.inFlight.set(taskId, { controller, done });
  }

  private async settle(taskId: string, outcome: TaskOutcome): Promise<void> {
    if (this.finished && outcome.type !== 'stopped') return;
    const runId = this.ctx.run.id;
    switch (outcome.type) {
      case 'passed':
        this.ledger?.taskSettled(taskId);
        // Kept for the tasks after it now (the next prompt would derive it too, had this failed).
        await ensureKnowledge(this.ctx).catch((error: unknown) =>
          this.ctx.logger.warn('could not record what a passed task did', {
            taskId,
            error: errorMessage(error),
          }),
        );
        return this.feed({ type: 'task-passed', taskId });
      case 'blocked':
        this.ledger?.taskSettled(taskId);
        return this.feed({
          type: 'task-blocked',
          taskId,
          reason: `task ${taskId} is blocked: ${outcome.reason}`,
        });
      case 'awaiting':
        // Decided already (while the pipeline was still running): its pipeline goes on at once,
        // rather than parking it and perhaps pausing the run with the decision unheard.
        if (await isDecided(this.ctx, taskId, outcome.approvalId))
          return this.feed({ type: 'task-interrupted', taskId });
        return this.feed({ type: 'task-awaiting', taskId });
      case 'stopped':
        // A task that waits for a person stays waiting through a pause: its approval stays open.
        if (outcome.kind === 'pause')
          await moveTask(this.ctx, taskRequeued(runId, taskId, outcome.reason), REQUEUED_FROM);
        if (outcome.kind === 'cancel') await moveTask(this.ctx, taskCancelled(runId, taskId, outcome.reason));
        return this.feed({ type: 'task-interrupted', taskId });
    }
  }
}

/** Whether a person has decided on the waiting result `approvalId` of the task. */
async function isDecided(ctx: RunContext, taskId: string, approvalId: string): Promise<boolean> {
  const decisions = await ctx.store.readEvents({ runId: ctx.run.id, taskId, types: ['approval.decided'] });
  return decisions.some((e) => e.type === 'approval.decided' && e.data.approvalId === approvalId);
}

/** `sandbox: off` is said on every drive, where the run's events are read. */
async function warnUnsandboxed(ctx: RunContext): Promise<void> {
  await ctx.store.transaction((tx) =>
    tx.appendEvent({
      type: 'run.unsandboxed',
      runId: ctx.run.id,
      data: {
        warning:
          'agents and checks run WITHOUT the OS sandbox (`sandbox: off` in the plan): they can reach everything you can',
      },
    }),
  );
}

function schedTasks(run: RunRecord) {
  const deps = effectiveDependencies(run.plan);
  return run.plan.tasks.map((task, planIndex) => ({
    id: task.id,
    deps: [...(deps.get(task.id) ?? [])],
    agent: agentFor(run, task),
    ...(task.estimate_s === undefined ? {} : { estimateS: task.estimate_s }),
    planIndex,
  }));
}

function schedConfig(run: RunRecord) {
  return {
    concurrency: run.options.concurrency,
    agentConcurrency: run.plan.settings.agent_concurrency,
    keepGoing: run.options.keepGoing,
    mode: run.options.schedule,
  };
}

function initialStatuses(tasks: TaskRecord[]): Record<string, SchedStatus> {
  return Object.fromEntries(tasks.map((t) => [t.taskId, SCHED_STATUS[t.status]]));
}

/** Applies a task transition unless the task already ended or is there (races between the scheduler and a stopping pipeline). */
async function moveTask(ctx: RunContext, move: TaskTransition, onlyFrom?: TaskStatus[]): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const current = await tx.getTask(move.runId, move.taskId);
    if (!current || isTerminalTask(current.status) || current.status === move.to) return;
    if (onlyFrom && !onlyFrom.includes(current.status)) return;
    await tx.apply(move);
  });
}

async function finishRun(
  ctx: RunContext,
  outcome: 'completed' | 'failed' | 'cancelled' | 'paused',
  why: { reason: string; by: PauseCause },
): Promise<RunRecord> {
  const { store, run } = ctx;
  const tasks = await store.listTasks(run.id);
  const count = (status: TaskStatus) => tasks.filter((t) => t.status === status).length;
  const move = {
    completed: () =>
      runCompleted(run.id, { passed: count('passed'), blocked: count('blocked'), skipped: count('skipped') }),
    failed: () => runFailed(run.id, why.reason),
    cancelled: () => runCancelled(run.id, why.reason),
    paused: () => runPaused(run.id, why.reason, why.by),
  }[outcome]();
  return store.transaction((tx) => tx.apply(move));
}
