import type { GafferEventType, RunStatus, StoredEvent, TaskStatus } from '../api/types';

/**
 * What the event stream has told the page so far. The log is the truth: a task's or the run's
 * status here is newer than any snapshot fetched before the event, so views prefer it.
 */
export interface LiveRun {
  runStatus: RunStatus | null;
  taskStatus: Readonly<Record<string, TaskStatus>>;
  /** Ids of the events applied, in order: each once. */
  appliedIds: readonly number[];
  /** Messages received, repeats included: equal to `appliedIds.length` unless the stream re-sent some. */
  received: number;
  /** The newest events, for the activity list (newest last). */
  recent: readonly StoredEvent[];
  /** Set by an event that changes which tasks exist (a replan): the snapshot must be fetched again. */
  planChanged: boolean;
}

export const EMPTY_LIVE_RUN: LiveRun = {
  runStatus: null,
  taskStatus: {},
  appliedIds: [],
  received: 0,
  recent: [],
  planChanged: false,
};

const RECENT = 200;

/** The status each task event moves its task to; events not named move none. */
const TASK_STATUS_AFTER: Partial<Record<GafferEventType, TaskStatus>> = {
  'task.ready': 'ready',
  'task.requeued': 'ready',
  'task.started': 'running',
  'task.evaluating': 'evaluating',
  'task.awaiting-approval': 'awaiting_approval',
  'task.rework': 'rework',
  'task.passed': 'passed',
  'task.blocked': 'blocked',
  'task.skipped': 'skipped',
  'task.cancelled': 'cancelled',
  'task.superseded': 'superseded',
  'task.reopened': 'pending',
};

/** The status each run event moves the run to. */
const RUN_STATUS_AFTER: Partial<Record<GafferEventType, RunStatus>> = {
  'run.created': 'pending',
  'run.started': 'running',
  'run.resumed': 'running',
  'run.paused': 'paused',
  'run.reopened': 'paused',
  'run.completed': 'completed',
  'run.failed': 'failed',
  'run.cancelled': 'cancelled',
};

/**
 * Applies one batch of received events (a frame's worth) in a single state change. An event at or
 * below the newest applied id is a repeat and only counted: the stream is read from a cursor, so
 * none should come, and the count lets a test prove it.
 */
export function applyEvents(state: LiveRun, batch: readonly StoredEvent[]): LiveRun {
  if (batch.length === 0) return state;
  let last = state.appliedIds.at(-1) ?? 0;
  let runStatus = state.runStatus;
  let planChanged = state.planChanged;
  const taskStatus = { ...state.taskStatus };
  const applied: StoredEvent[] = [];
  for (const event of batch) {
    if (event.id <= last) continue;
    last = event.id;
    applied.push(event);
    runStatus = RUN_STATUS_AFTER[event.type] ?? runStatus;
    const status = TASK_STATUS_AFTER[event.type];
    if (status && event.taskId) taskStatus[event.taskId] = status;
    if (event.type === 'run.reopened') for (const task of event.data.tasks) taskStatus[task] = 'pending';
    if (event.type === 'run.replanned') planChanged = true;
  }
  return {
    runStatus,
    taskStatus,
    appliedIds: [...state.appliedIds, ...applied.map((e) => e.id)],
    received: state.received + batch.length,
    recent: [...state.recent, ...applied].slice(-RECENT),
    planChanged,
  };
}
