import type { GafferEvent, RunRecord, TaskRecord, TaskStatus } from '../domain/index.js';
import { GafferError, isTerminalTask } from '../domain/index.js';
import { effectiveDependencies } from '../plan/index.js';
import type { SchedAction, SchedEvent, SchedStatus } from './scheduler/index.js';
import { createSchedulerState, schedule } from './scheduler/index.js';
import type { RunContext } from './run-context.js';
import { agentFor } from './run-context.js';
import { LeaseKeeper } from './lease-keeper.js';
import { StopRequest } from './stop-request.js';
import type { TaskOutcome } from './task-pipeline.js';
import { runTaskPipeline } from './task-pipeline.js';

export interface DriveOptions {
  ownerId: string;
  leaseTtlMs: number;
  heartbeatMs: number;
  /** How often to look for pause/cancel requests from other processes. */
  controlPollMs: number;
  /** Aborting this pauses the run (e.g. Ctrl-C in the CLI). */
  signal?: AbortSignal;
}

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
 * Drives one run until it completes, fails, is cancelled or paused. The scheduler decides;
 * this loop performs its actions, feeds it task outcomes one at a time, watches for
 * pause/cancel requests and holds the run's lease throughout.
 */
export async function driveRun(ctx: RunContext, options: DriveOptions): Promise<RunRecord> {
  const { store } = ctx;
  const runId = ctx.run.id;
  const inFlight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let leaseLost: string | undefined;
  const stopAll = (stop: StopRequest) => {
    for (const { controller } of inFlight.values()) if (!controller.signal.aborted) controller.abort(stop);
  };
  const keeper = new LeaseKeeper(store, runId, options.ownerId, {
    ttlMs: options.leaseTtlMs,
    heartbeatMs: options.heartbeatMs,
    onLost: (why) => {
      leaseLost = why;
      stopAll(new StopRequest('lease-lost', why));
    },
  });
  await keeper.acquire();
  let poll: NodeJS.Timeout | undefined;
  try {
    ctx.run = await startOrResume(ctx, options.ownerId);
    await requeueInterrupted(ctx);
    const tasks = await store.listTasks(runId);
    let state = createSchedulerState(schedTasks(ctx.run), schedConfig(ctx.run), initialStatuses(tasks));
    let lastControlId = (await store.readEvents({ runId })).at(-1)?.id ?? 0;

    return await new Promise<RunRecord>((resolve, reject) => {
      let queue = Promise.resolve();
      let finished = false;
      // An engine error (git, store) stops the run where it is: attempts are interrupted like a
      // pause, so `gaffer resume` continues once the cause is fixed; nothing is cancelled.
      const fail = (error: unknown) => {
        if (finished) return;
        finished = true;
        stopAll(
          new StopRequest('pause', `engine error: ${error instanceof Error ? error.message : String(error)}`),
        );
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      const feed = (event: SchedEvent) => {
        queue = queue
          .then(async () => {
            if (finished) return;
            if (leaseLost)
              throw new GafferError('GAFFER_LEASE_HELD', `lost the lease of run ${runId}: ${leaseLost}`);
            const next = schedule(state, event);
            state = next.state;
            for (const action of next.actions) await perform(action);
          })
          .catch(fail);
      };
      const perform = async (action: SchedAction): Promise<void> => {
        switch (action.type) {
          case 'mark-ready':
            await moveTask(
              ctx,
              action.taskId,
              'ready',
              {},
              (taskId) => ({ type: 'task.ready', runId, taskId, data: {} }),
              ['pending'],
            );
            return;
          case 'dispatch': {
            const controller = new AbortController();
            const done = runTaskPipeline(ctx, action.taskId, controller.signal)
              .then((outcome) => settle(action.taskId, outcome))
              .catch(fail)
              .finally(() => inFlight.delete(action.taskId));
            inFlight.set(action.taskId, { controller, done });
            return;
          }
          case 'skip':
            await moveTask(ctx, action.taskId, 'skipped', { reason: action.reason }, (taskId) => ({
              type: 'task.skipped',
              runId,
              taskId,
              data: { reason: action.reason },
            }));
            return;
          case 'cancel-task':
            await moveTask(ctx, action.taskId, 'cancelled', { reason: action.reason }, (taskId) => ({
              type: 'task.cancelled',
              runId,
              taskId,
              data: { reason: action.reason },
            }));
            return;
          case 'finish':
            finished = true;
            resolve(await finishRun(ctx, action.outcome, stopReason ?? action.reason));
            return;
        }
      };
      const settle = async (taskId: string, outcome: TaskOutcome) => {
        if (finished && outcome.type !== 'stopped') return;
        switch (outcome.type) {
          case 'passed':
            feed({ type: 'task-passed', taskId });
            return;
          case 'blocked':
            feed({ type: 'task-blocked', taskId, reason: `task ${taskId} is blocked: ${outcome.reason}` });
            return;
          case 'stopped':
            if (outcome.kind === 'pause') {
              await moveTask(ctx, taskId, 'ready', {}, (id) => ({
                type: 'task.requeued',
                runId,
                taskId: id,
                data: { reason: outcome.reason },
              }));
            } else if (outcome.kind === 'cancel') {
              await moveTask(ctx, taskId, 'cancelled', { reason: outcome.reason }, (id) => ({
                type: 'task.cancelled',
                runId,
                taskId: id,
                data: { reason: outcome.reason },
              }));
            }
            feed({ type: 'task-interrupted', taskId });
            return;
        }
      };
      let stopReason: string | undefined;
      const requestStop = (kind: 'pause' | 'cancel', reason: string) => {
        stopReason ??= reason;
        feed({ type: kind });
        stopAll(new StopRequest(kind, reason));
      };
      const onAbort = () =>
        requestStop(
          'pause',
          typeof options.signal?.reason === 'string' ? options.signal.reason : 'interrupted',
        );
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // A Ctrl-C while the run was starting up must count too.
      if (options.signal?.aborted) onAbort();
      poll = setInterval(() => {
        store
          .readEvents({ runId, afterId: lastControlId })
          .then((events) => {
            for (const event of events) {
              lastControlId = event.id;
              if (event.type === 'run.pause-requested') requestStop('pause', event.data.reason);
              if (event.type === 'run.cancel-requested') requestStop('cancel', event.data.reason);
            }
          })
          .catch(() => undefined); // a transient read error must not end the run; the lease decides that
      }, options.controlPollMs);
      feed({ type: 'start' });
    }).finally(async () => {
      await Promise.allSettled([...inFlight.values()].map((entry) => entry.done));
    });
  } finally {
    if (poll) clearInterval(poll);
    if (!leaseLost) await keeper.release();
  }
}

async function startOrResume(ctx: RunContext, ownerId: string): Promise<RunRecord> {
  const { store } = ctx;
  const run = await store.getRun(ctx.run.id);
  if (!run) throw new GafferError('GAFFER_RUN_NOT_FOUND', `run ${ctx.run.id} not found`, { userError: true });
  switch (run.status) {
    case 'pending':
      return store.transaction((tx) =>
        tx.setRunStatus(
          run.id,
          'running',
          {},
          { type: 'run.started', runId: run.id, data: { ownerId, resumed: false } },
        ),
      );
    case 'paused':
      return store.transaction((tx) =>
        tx.setRunStatus(
          run.id,
          'running',
          { reason: null },
          { type: 'run.resumed', runId: run.id, data: { ownerId } },
        ),
      );
    case 'running':
      // The previous owner died; its lease is ours now.
      await store.transaction((tx) =>
        tx.appendEvent({ type: 'run.resumed', runId: run.id, data: { ownerId } }),
      );
      return run;
    case 'completed':
    case 'failed':
    case 'cancelled':
      throw new GafferError(
        'GAFFER_BAD_INPUT',
        `run ${run.id} has already ${run.status === 'completed' ? 'completed' : 'ended'} (${run.status})`,
        {
          userError: true,
          hint: 'start a new run with `gaffer run <plan>`',
        },
      );
  }
}

/** Attempts left mid-flight by a dead owner become `interrupted`; their tasks go back to `ready`. */
async function requeueInterrupted(ctx: RunContext): Promise<void> {
  const { store, run } = ctx;
  const attempts = await store.listAttempts(run.id);
  const live = attempts.filter(
    (a) => a.status === 'starting' || a.status === 'running' || a.status === 'waiting_answer',
  );
  const tasks = await store.listTasks(run.id);
  const liveIds = new Set(live.map((a) => a.id));
  const unanswered = new Map<string, { question: string; taskId: string; attemptId: string }>();
  for (const event of await store.readEvents({ runId: run.id })) {
    if (event.type === 'attempt.question-asked' && liveIds.has(event.attemptId ?? '')) {
      unanswered.set(event.data.questionId, {
        question: event.data.question,
        taskId: event.taskId ?? '',
        attemptId: event.attemptId ?? '',
      });
    }
    if (event.type === 'attempt.question-answered') unanswered.delete(event.data.questionId);
  }
  await store.transaction(async (tx) => {
    // Nobody waits for these answers any more: the resumed attempt will ask again if it must.
    for (const [questionId, q] of unanswered) {
      await tx.appendEvent({
        type: 'attempt.question-answered',
        runId: run.id,
        taskId: q.taskId,
        attemptId: q.attemptId,
        data: { questionId, question: q.question, answer: '', by: 'gaffer (attempt interrupted)' },
      });
    }
    for (const attempt of live) {
      await tx.setAttemptStatus(
        attempt.id,
        'interrupted',
        { finishedAt: new Date().toISOString() },
        {
          type: 'attempt.interrupted',
          runId: run.id,
          taskId: attempt.taskId,
          attemptId: attempt.id,
          data: { reason: 'its engine stopped before the attempt ended' },
        },
      );
    }
    for (const task of tasks) {
      if (['running', 'evaluating', 'rework', 'awaiting_approval'].includes(task.status)) {
        await tx.setTaskStatus(
          run.id,
          task.taskId,
          'ready',
          {},
          {
            type: 'task.requeued',
            runId: run.id,
            taskId: task.taskId,
            data: { reason: 'resumed after its engine stopped' },
          },
        );
      }
    }
  });
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

/** Moves a task unless it already ended (idempotent under races between the scheduler and a stopping pipeline). */
async function moveTask(
  ctx: RunContext,
  taskId: string,
  to: TaskStatus,
  patch: { reason?: string | null },
  event: (taskId: string) => GafferEvent,
  onlyFrom?: TaskStatus[],
): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const current = await tx.getTask(ctx.run.id, taskId);
    if (!current || isTerminalTask(current.status) || current.status === to) return;
    if (onlyFrom && !onlyFrom.includes(current.status)) return;
    const finishedAt = to === 'skipped' || to === 'cancelled' ? new Date().toISOString() : undefined;
    await tx.setTaskStatus(
      ctx.run.id,
      taskId,
      to,
      { ...patch, ...(finishedAt ? { finishedAt } : {}) },
      event(taskId),
    );
  });
}

async function finishRun(
  ctx: RunContext,
  outcome: 'completed' | 'failed' | 'cancelled' | 'paused',
  reason: string | undefined,
): Promise<RunRecord> {
  const { store, run } = ctx;
  const tasks = await store.listTasks(run.id);
  const count = (status: TaskStatus) => tasks.filter((t) => t.status === status).length;
  const now = new Date().toISOString();
  const finished = await store.transaction((tx) => {
    switch (outcome) {
      case 'completed':
        return tx.setRunStatus(
          run.id,
          'completed',
          { finishedAt: now, reason: null },
          {
            type: 'run.completed',
            runId: run.id,
            data: { passed: count('passed'), blocked: count('blocked'), skipped: count('skipped') },
          },
        );
      case 'failed':
      case 'cancelled':
      case 'paused': {
        const why = reason ?? outcome;
        // A paused run has not finished: it keeps no finishedAt.
        const patch = outcome === 'paused' ? { reason: why } : { reason: why, finishedAt: now };
        return tx.setRunStatus(run.id, outcome, patch, {
          type: `run.${outcome}`,
          runId: run.id,
          data: { reason: why },
        });
      }
    }
  });
  return finished;
}
