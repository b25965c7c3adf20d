import type {
  AttemptPatch,
  RunPatch,
  TaskPatch,
  Transition,
  TransitionResult,
  AttemptRecord,
  AttemptStatus,
  EvaluationRecord,
  GafferEvent,
  GafferEventType,
  LeaseRecord,
  RunRecord,
  RunStatus,
  StoredEvent,
  TaskRecord,
  TaskStatus,
} from '../domain/index.js';

export type { RunPatch, TaskPatch, AttemptPatch } from '../domain/index.js';

/**
 * Writes inside one transaction. Every status change takes the event that records it, so a
 * state change and its event can never be written apart. Status changes are checked against
 * the state machines in `domain/status` using the row's *current* status inside the
 * transaction (compare-and-set), so two engines can never both move a task to `passed`.
 */
export interface StoreTx {
  insertRun(run: RunRecord, tasks: TaskRecord[], event: GafferEvent): Promise<void>;
  /** Adds tasks to a run after its existing ones (a replan), in this order. */
  insertTasks(runId: string, tasks: TaskRecord[]): Promise<void>;
  /** `only` narrows the legal sources of the move (e.g. a pause only of a live run). */
  setRunStatus(
    runId: string,
    to: RunStatus,
    patch: RunPatch,
    event: GafferEvent,
    only?: readonly RunStatus[],
  ): Promise<RunRecord>;
  updateRun(runId: string, patch: RunPatch): Promise<void>;

  setTaskStatus(
    runId: string,
    taskId: string,
    to: TaskStatus,
    patch: TaskPatch,
    event: GafferEvent,
    only?: readonly TaskStatus[],
  ): Promise<TaskRecord>;
  updateTask(runId: string, taskId: string, patch: TaskPatch): Promise<void>;

  insertAttempt(attempt: AttemptRecord, event: GafferEvent): Promise<void>;
  setAttemptStatus(
    attemptId: string,
    to: AttemptStatus,
    patch: AttemptPatch,
    event: GafferEvent,
  ): Promise<AttemptRecord>;
  updateAttempt(attemptId: string, patch: AttemptPatch): Promise<void>;

  insertEvaluation(evaluation: EvaluationRecord, event: GafferEvent): Promise<void>;

  /** Applies a status transition built by `domain/transitions`: the row update and its event, compare-and-set. */
  apply<T extends Transition>(transition: T): Promise<TransitionResult<T>>;

  /**
   * Fencing: refuses the transaction (throws) unless `ownerId` still holds the run's lease with
   * this token. On PostgreSQL the lease row is share-locked until commit, so a take-over waits
   * for this transaction instead of slipping in between the check and the writes.
   */
  assertLease(runId: string, ownerId: string, token: number): Promise<void>;

  /** Appends an event that records no row change (a question, a protected-path revert, a merge conflict). */
  appendEvent(event: GafferEvent): Promise<StoredEvent>;

  getRun(runId: string): Promise<RunRecord | undefined>;
  getTask(runId: string, taskId: string): Promise<TaskRecord | undefined>;
  getAttempt(attemptId: string): Promise<AttemptRecord | undefined>;
}

export interface EventQuery {
  /** Only this run's events; all runs when omitted. */
  runId?: string;
  taskId?: string;
  /** Only events of these types (indexed per run). */
  types?: readonly GafferEventType[];
  /** Return events with `id > afterId`. */
  afterId?: number;
  limit?: number;
}

/** Gaffer's persistent state: runs, tasks, attempts, evaluations, events and leases. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema; safe to call every start. */
  migrate(): Promise<void>;
  /** Runs `fn` in one database transaction; rolls back if it throws. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;

  getRun(runId: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(): Promise<RunRecord[]>;
  listTasks(runId: string): Promise<TaskRecord[]>;
  getTask(runId: string, taskId: string): Promise<TaskRecord | undefined>;
  /** Ordered by task, then attempt number. */
  listAttempts(runId: string, taskId?: string): Promise<AttemptRecord[]>;
  getAttempt(attemptId: string): Promise<AttemptRecord | undefined>;
  listEvaluations(runId: string, taskId?: string): Promise<EvaluationRecord[]>;
  /** Events in id order. */
  readEvents(query: EventQuery): Promise<StoredEvent[]>;
  /** The id of the run's newest event (0 when it has none): where a tail that wants only new events starts. */
  lastEventId(runId: string): Promise<number>;

  /**
   * Takes the run's lease if nobody holds it or the holder's lease expired (incrementing the
   * fencing token); returns undefined while another owner holds a live lease.
   * `takeOverFrom` also takes a live lease held by that owner (the caller has proved it dead).
   */
  acquireLease(
    runId: string,
    ownerId: string,
    ttlMs: number,
    options?: { takeOverFrom?: string },
  ): Promise<LeaseRecord | undefined>;
  /** Extends the lease; false when it was lost (taken over, or the token is stale). */
  renewLease(runId: string, ownerId: string, token: number, ttlMs: number): Promise<boolean>;
  releaseLease(runId: string, ownerId: string, token: number): Promise<void>;
  getLease(runId: string): Promise<LeaseRecord | undefined>;

  close(): Promise<void>;
}
