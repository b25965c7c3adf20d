import { IllegalTransitionError } from './errors.js';

export const RUN_STATUSES = ['pending', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TASK_STATUSES = [
  'pending',
  'ready',
  'running',
  'evaluating',
  'awaiting_approval',
  'rework',
  'passed',
  'blocked',
  'skipped',
  'cancelled',
  'superseded',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const ATTEMPT_STATUSES = [
  'starting',
  'running',
  'waiting_answer',
  'succeeded',
  'failed',
  'interrupted',
  'aborted',
] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

const RUN_MOVES: Record<RunStatus, readonly RunStatus[]> = {
  pending: ['running', 'paused', 'cancelled', 'failed'],
  running: ['paused', 'completed', 'failed', 'cancelled'],
  paused: ['running', 'cancelled', 'failed'],
  // `gaffer retry` reopens an ended run: it waits, paused, for its next drive.
  completed: ['paused'],
  failed: ['paused'],
  cancelled: ['paused'],
};

// `running|evaluating → ready` is the recovery move: the attempt's owner died and a new
// engine re-dispatches the task into the same worktree (`running → ready` also waits for the
// retry of a transient agent failure). `ready → evaluating` re-runs only the checks of an
// attempt that finished before the stop; `ready → rework | blocked` applies a setback that was
// recorded (a failed attempt, a merge conflict) just before the stop. `blocked → ready` is a retry after the user raised a limit.
const TASK_MOVES: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ['ready', 'skipped', 'cancelled', 'superseded'],
  ready: [
    'running',
    'evaluating',
    'rework',
    'blocked',
    'awaiting_approval',
    'skipped',
    'cancelled',
    'superseded',
  ],
  running: ['evaluating', 'rework', 'blocked', 'cancelled', 'ready'],
  evaluating: ['passed', 'rework', 'blocked', 'awaiting_approval', 'cancelled', 'ready'],
  // `→ evaluating`: an approved result is merged (a rebased one is checked again first).
  awaiting_approval: ['passed', 'evaluating', 'rework', 'blocked', 'cancelled', 'ready'],
  rework: ['running', 'blocked', 'cancelled', 'ready'],
  blocked: ['ready', 'pending', 'superseded', 'cancelled'],
  passed: [],
  // `gaffer retry` reopens these: back to `pending`, to be marked ready once their dependencies pass;
  // a replan replaces them (`superseded`), like every task that had not passed.
  skipped: ['pending', 'superseded'],
  cancelled: ['pending', 'superseded'],
  superseded: [],
};

const ATTEMPT_MOVES: Record<AttemptStatus, readonly AttemptStatus[]> = {
  starting: ['running', 'failed', 'interrupted', 'aborted'],
  running: ['waiting_answer', 'succeeded', 'failed', 'interrupted', 'aborted'],
  waiting_answer: ['running', 'failed', 'interrupted', 'aborted'],
  succeeded: [],
  failed: [],
  interrupted: [],
  aborted: [],
};

export const canMoveRun = (from: RunStatus, to: RunStatus) => RUN_MOVES[from].includes(to);
export const canMoveTask = (from: TaskStatus, to: TaskStatus) => TASK_MOVES[from].includes(to);
export const canMoveAttempt = (from: AttemptStatus, to: AttemptStatus) => ATTEMPT_MOVES[from].includes(to);

/** Throws {@link IllegalTransitionError} unless the run may move `from → to`. */
export function assertRunMove(subject: string, from: RunStatus, to: RunStatus): void {
  if (!canMoveRun(from, to)) throw new IllegalTransitionError('run', from, to, subject);
}
/** Throws {@link IllegalTransitionError} unless the task may move `from → to`. */
export function assertTaskMove(subject: string, from: TaskStatus, to: TaskStatus): void {
  if (!canMoveTask(from, to)) throw new IllegalTransitionError('task', from, to, subject);
}
/** Throws {@link IllegalTransitionError} unless the attempt may move `from → to`. */
export function assertAttemptMove(subject: string, from: AttemptStatus, to: AttemptStatus): void {
  if (!canMoveAttempt(from, to)) throw new IllegalTransitionError('attempt', from, to, subject);
}

/** Ended for good unless reopened by `gaffer retry` (the only way out of these). */
export const isTerminalRun = (s: RunStatus) => s === 'completed' || s === 'failed' || s === 'cancelled';
/** Settled for good: passed or superseded; skipped and cancelled only until a retry reopens them. */
export const isTerminalTask = (s: TaskStatus) =>
  s === 'passed' || s === 'superseded' || s === 'skipped' || s === 'cancelled';
export const isTerminalAttempt = (s: AttemptStatus) => ATTEMPT_MOVES[s].length === 0;
/** Statuses in which a task has finished for good or for now (no slot held). */
export const isSettledTask = (s: TaskStatus) => isTerminalTask(s) || s === 'blocked';
