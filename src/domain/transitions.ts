import type { AgentFailure, Usage } from './agent.js';
import type { PauseCause } from './events.js';
import type { GafferEvent } from './events.js';
import type { AttemptRecord, RunRecord, TaskRecord } from './records.js';
import type { AttemptStatus, RunStatus, TaskStatus } from './status.js';

export type RunPatch = Partial<Pick<RunRecord, 'reason' | 'finishedAt' | 'options' | 'plan'>>;
export type TaskPatch = Partial<
  Pick<
    TaskRecord,
    'attempts' | 'reworks' | 'mergeCommit' | 'reason' | 'filesChanged' | 'startedAt' | 'finishedAt'
  >
>;
export type AttemptPatch = Partial<
  Pick<
    AttemptRecord,
    | 'headCommit'
    | 'nativeSessionId'
    | 'error'
    | 'failure'
    | 'usage'
    | 'transcriptPath'
    | 'finishedAt'
    | 'processes'
  >
>;

/**
 * A status change together with the row update and the event that records it. Built only by
 * the functions below — one per transition — and applied by the store in one transaction with
 * a compare-and-set on the row's current status, so a change and its event never part.
 */
export type Transition = RunTransition | TaskTransition | AttemptTransition;

export interface RunTransition {
  entity: 'run';
  runId: string;
  to: RunStatus;
  /** Only from these statuses (a subset of the legal ones), when the move must not happen from the others. */
  from?: readonly RunStatus[];
  patch: RunPatch;
  event: GafferEvent;
}

export interface TaskTransition {
  entity: 'task';
  runId: string;
  taskId: string;
  to: TaskStatus;
  from?: readonly TaskStatus[];
  patch: TaskPatch;
  event: GafferEvent;
}

export interface AttemptTransition {
  entity: 'attempt';
  attemptId: string;
  to: AttemptStatus;
  patch: AttemptPatch;
  event: GafferEvent;
}

/** What applying a transition returns: the row as it is after the change. */
export type TransitionResult<T extends Transition> = T extends RunTransition
  ? RunRecord
  : T extends TaskTransition
    ? TaskRecord
    : AttemptRecord;

/** The attempt a transition is about. */
export type AttemptRef = Pick<AttemptRecord, 'id' | 'runId' | 'taskId'>;

const now = () => new Date().toISOString();

// ── runs ────────────────────────────────────────────────────────────────────────────────

const run = (runId: string, to: RunStatus, patch: RunPatch, event: GafferEvent): RunTransition => ({
  entity: 'run',
  runId,
  to,
  patch,
  event,
});

export const runStarted = (runId: string, ownerId: string) =>
  run(runId, 'running', {}, { type: 'run.started', runId, data: { ownerId, resumed: false } });

export const runResumed = (runId: string, ownerId: string) =>
  run(runId, 'running', { reason: null }, { type: 'run.resumed', runId, data: { ownerId } });

/** A paused run has not finished: it keeps no finishedAt. Only a live run pauses (an ended one is reopened). */
export const runPaused = (runId: string, reason: string, by: PauseCause): RunTransition => ({
  ...run(runId, 'paused', { reason }, { type: 'run.paused', runId, data: { reason, by } }),
  from: ['pending', 'running'],
});

/** `gaffer retry`: an ended run waits, paused, for its next drive; its reopened tasks are listed. */
export const runReopened = (runId: string, tasks: readonly string[], keepWork: boolean): RunTransition => ({
  ...run(
    runId,
    'paused',
    { reason: null, finishedAt: null },
    { type: 'run.reopened', runId, data: { tasks: [...tasks], continue: keepWork } },
  ),
  from: ['completed', 'failed', 'cancelled'],
});

export const runCompleted = (runId: string, counts: { passed: number; blocked: number; skipped: number }) =>
  run(
    runId,
    'completed',
    { finishedAt: now(), reason: null },
    { type: 'run.completed', runId, data: counts },
  );

export const runFailed = (runId: string, reason: string) =>
  run(runId, 'failed', { reason, finishedAt: now() }, { type: 'run.failed', runId, data: { reason } });

export const runCancelled = (runId: string, reason: string) =>
  run(runId, 'cancelled', { reason, finishedAt: now() }, { type: 'run.cancelled', runId, data: { reason } });

// ── tasks ───────────────────────────────────────────────────────────────────────────────

const task = (
  runId: string,
  taskId: string,
  to: TaskStatus,
  patch: TaskPatch,
  event: GafferEvent,
): TaskTransition => ({ entity: 'task', runId, taskId, to, patch, event });

export const taskReady = (runId: string, taskId: string) =>
  task(runId, taskId, 'ready', {}, { type: 'task.ready', runId, taskId, data: {} });

/** Back to `ready` after a stop (pause, a dead owner): the next dispatch carries on from the record. */
export const taskRequeued = (runId: string, taskId: string, reason: string) =>
  task(runId, taskId, 'ready', {}, { type: 'task.requeued', runId, taskId, data: { reason } });

/** A transient agent failure: the task waits for its retry, which spends no rework. */
export const taskRetryScheduled = (
  failed: AttemptRef,
  retry: { kind: AgentFailure['kind']; delayMs: number; retry: number },
) =>
  task(
    failed.runId,
    failed.taskId,
    'ready',
    {},
    {
      type: 'attempt.retry-scheduled',
      runId: failed.runId,
      taskId: failed.taskId,
      attemptId: failed.id,
      data: retry,
    },
  );

export const taskStarted = (
  attempt: AttemptRef,
  counts: { attempts: number; reworks: number; startedAt: string },
) =>
  task(
    attempt.runId,
    attempt.taskId,
    'running',
    { ...counts, reason: null },
    {
      type: 'task.started',
      runId: attempt.runId,
      taskId: attempt.taskId,
      attemptId: attempt.id,
      data: { attempt: counts.attempts },
    },
  );

export const taskEvaluating = (attempt: AttemptRef, number: number, filesChanged: number) =>
  task(
    attempt.runId,
    attempt.taskId,
    'evaluating',
    { filesChanged },
    {
      type: 'task.evaluating',
      runId: attempt.runId,
      taskId: attempt.taskId,
      attemptId: attempt.id,
      data: { attempt: number },
    },
  );

export const taskPassed = (runId: string, taskId: string, mergeCommit: string, filesChanged: number) =>
  task(
    runId,
    taskId,
    'passed',
    { mergeCommit, filesChanged, reason: null, finishedAt: now() },
    { type: 'task.passed', runId, taskId, data: { mergeCommit, filesChanged } },
  );

/** The attempt's result waits for a person's decision on its evaluation (the run's autonomy). */
export const taskAwaitingApproval = (
  attempt: AttemptRef & { number: number },
  evaluation: { id: string; confidence: string; score: number },
  why: string,
) =>
  task(
    attempt.runId,
    attempt.taskId,
    'awaiting_approval',
    {},
    {
      type: 'task.awaiting-approval',
      runId: attempt.runId,
      taskId: attempt.taskId,
      attemptId: attempt.id,
      data: {
        approvalId: evaluation.id,
        attempt: attempt.number,
        confidence: evaluation.confidence,
        score: evaluation.score,
        why,
      },
    },
  );

/** A setback sends the task back: `feedback` (what the next attempt is told) is kept on the task. */
export const taskRework = (
  runId: string,
  taskId: string,
  setback: { reason: string; feedback: string },
  nextAttempt: number,
) =>
  task(
    runId,
    taskId,
    'rework',
    { reason: setback.feedback },
    { type: 'task.rework', runId, taskId, data: { attempt: nextAttempt, reason: setback.reason } },
  );

/**
 * `gaffer retry`: a blocked, skipped or cancelled task goes back to `pending` with a fresh rework
 * budget. `fromAttempt` marks where its new history starts: attempts up to it are not looked at
 * again. `feedback` (with `--continue`) is what the next attempt is told to fix.
 */
export const taskReopened = (
  runId: string,
  taskId: string,
  fromAttempt: number,
  feedback: string | null,
): TaskTransition => ({
  ...task(
    runId,
    taskId,
    'pending',
    { reworks: 0, reason: feedback, finishedAt: null },
    { type: 'task.reopened', runId, taskId, data: { fromAttempt, continue: feedback !== null } },
  ),
  from: ['blocked', 'skipped', 'cancelled'],
});

export const taskBlocked = (runId: string, taskId: string, reason: string) =>
  task(
    runId,
    taskId,
    'blocked',
    { reason, finishedAt: now() },
    { type: 'task.blocked', runId, taskId, data: { reason } },
  );

/** Replaced by a replan: it stays in the run's history, never runs again. */
export const taskSuperseded = (runId: string, taskId: string, reason: string) =>
  task(
    runId,
    taskId,
    'superseded',
    { reason, finishedAt: now() },
    { type: 'task.superseded', runId, taskId, data: { reason } },
  );

export const taskSkipped = (runId: string, taskId: string, reason: string) =>
  task(
    runId,
    taskId,
    'skipped',
    { reason, finishedAt: now() },
    { type: 'task.skipped', runId, taskId, data: { reason } },
  );

export const taskCancelled = (runId: string, taskId: string, reason: string) =>
  task(
    runId,
    taskId,
    'cancelled',
    { reason, finishedAt: now() },
    { type: 'task.cancelled', runId, taskId, data: { reason } },
  );

// ── attempts ────────────────────────────────────────────────────────────────────────────

const attemptMove = (
  attempt: AttemptRef,
  to: AttemptStatus,
  patch: AttemptPatch,
  event: GafferEvent,
): AttemptTransition => ({ entity: 'attempt', attemptId: attempt.id, to, patch, event });

const envelope = (attempt: AttemptRef) => ({
  runId: attempt.runId,
  taskId: attempt.taskId,
  attemptId: attempt.id,
});

/** What a finished session leaves on its attempt; a session id reported while running is never erased. */
export interface SessionOutcome {
  usage?: Usage | undefined;
  nativeSessionId?: string | undefined;
}

const sessionPatch = (session: SessionOutcome): AttemptPatch => ({
  ...(session.usage === undefined ? {} : { usage: session.usage }),
  ...(session.nativeSessionId === undefined ? {} : { nativeSessionId: session.nativeSessionId }),
});

export const attemptRunning = (attempt: AttemptRef) =>
  attemptMove(attempt, 'running', {}, { type: 'attempt.running', ...envelope(attempt), data: {} });

export const attemptWaiting = (attempt: AttemptRef, questionId: string, question: string) =>
  attemptMove(
    attempt,
    'waiting_answer',
    {},
    { type: 'attempt.question-asked', ...envelope(attempt), data: { questionId, question } },
  );

export const attemptSucceeded = (
  attempt: AttemptRef,
  result: SessionOutcome & { headCommit: string; filesChanged: number },
) =>
  attemptMove(
    attempt,
    'succeeded',
    { ...sessionPatch(result), headCommit: result.headCommit, error: null, finishedAt: now() },
    {
      type: 'attempt.succeeded',
      ...envelope(attempt),
      data: { headCommit: result.headCommit, filesChanged: result.filesChanged, usage: result.usage ?? null },
    },
  );

export const attemptFailed = (
  attempt: AttemptRef,
  result: SessionOutcome & { headCommit: string; error: string; failure: AgentFailure },
) =>
  attemptMove(
    attempt,
    'failed',
    {
      ...sessionPatch(result),
      headCommit: result.headCommit,
      error: result.error,
      failure: result.failure,
      finishedAt: now(),
    },
    {
      type: 'attempt.failed',
      ...envelope(attempt),
      data: {
        error: result.error,
        usage: result.usage ?? null,
        kind: result.failure.kind,
        retryable: result.failure.retryable,
      },
    },
  );

/** Stopped for now (pause, engine error): the task resumes in a later attempt. */
/** Interrupted (pause); `endedAt`: when a dead engine's attempt was last heard of, instead of now. */
export const attemptInterrupted = (
  attempt: AttemptRef,
  reason: string,
  session: SessionOutcome = {},
  endedAt?: string,
) =>
  attemptMove(
    attempt,
    'interrupted',
    { ...sessionPatch(session), finishedAt: endedAt ?? now() },
    { type: 'attempt.interrupted', ...envelope(attempt), data: { reason } },
  );

/** Stopped for good (cancel). */
export const attemptAborted = (attempt: AttemptRef, reason: string, session: SessionOutcome = {}) =>
  attemptMove(
    attempt,
    'aborted',
    { ...sessionPatch(session), finishedAt: now() },
    { type: 'attempt.aborted', ...envelope(attempt), data: { reason } },
  );
