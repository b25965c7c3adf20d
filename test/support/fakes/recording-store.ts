import type {
  AttemptStatus,
  GafferEvent,
  GafferEventType,
  RunStatus,
  TaskStatus,
  Transition,
  TransitionResult,
} from '../../../src/domain/index.js';
import type { EventQuery, Store, StoreTx } from '../../../src/store/index.js';
import { openStore } from '../../../src/store/index.js';

/** One status change a test saw committed: which row, to what, and the event that recorded it. */
export interface RecordedTransition {
  entity: 'run' | 'task' | 'attempt';
  /** Run id, task id or attempt id. */
  id: string;
  to: RunStatus | TaskStatus | AttemptStatus;
  event: GafferEventType;
}

/**
 * A real in-memory SQLite store that records every status change (`tx.apply` and the
 * `set*Status` calls) of the transactions that committed, in order. A rolled-back transaction
 * records nothing, as nothing of it was stored.
 */
export class RecordingStore implements Store {
  readonly transitions: RecordedTransition[] = [];

  private constructor(private readonly inner: Store) {}

  static async open(): Promise<RecordingStore> {
    return new RecordingStore(await openStore(':memory:'));
  }

  /** The transitions as `entity to (event)` lines, for readable inline snapshots. */
  lines(filter?: (t: RecordedTransition) => boolean): string[] {
    return this.transitions.filter(filter ?? (() => true)).map((t) => `${t.entity} ${t.to} (${t.event})`);
  }

  get dialect() {
    return this.inner.dialect;
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const seen: RecordedTransition[] = [];
    const result = await this.inner.transaction((tx) => fn(recordingTx(tx, seen)));
    this.transitions.push(...seen);
    return result;
  }

  migrate = () => this.inner.migrate();
  getRun = (runId: string) => this.inner.getRun(runId);
  listRuns = () => this.inner.listRuns();
  listTasks = (runId: string) => this.inner.listTasks(runId);
  getTask = (runId: string, taskId: string) => this.inner.getTask(runId, taskId);
  listAttempts = (runId: string, taskId?: string) => this.inner.listAttempts(runId, taskId);
  getAttempt = (attemptId: string) => this.inner.getAttempt(attemptId);
  listEvaluations = (runId: string, taskId?: string) => this.inner.listEvaluations(runId, taskId);
  readEvents = (query: EventQuery) => this.inner.readEvents(query);
  lastEventId = (runId: string) => this.inner.lastEventId(runId);
  acquireLease: Store['acquireLease'] = (...args) => this.inner.acquireLease(...args);
  renewLease: Store['renewLease'] = (...args) => this.inner.renewLease(...args);
  releaseLease: Store['releaseLease'] = (...args) => this.inner.releaseLease(...args);
  getLease = (runId: string) => this.inner.getLease(runId);
  close = () => this.inner.close();
}

/** `tx` with its status changes noted in `seen` once they succeed. */
function recordingTx(tx: StoreTx, seen: RecordedTransition[]): StoreTx {
  const note =
    <R>(entity: RecordedTransition['entity'], id: string, to: RecordedTransition['to'], event: GafferEvent) =>
    (result: R): R => {
      seen.push({ entity, id, to, event: event.type });
      return result;
    };
  return {
    insertRun: (run, tasks, event) => tx.insertRun(run, tasks, event),
    insertTasks: (runId, tasks) => tx.insertTasks(runId, tasks),
    setRunStatus: (runId, to, patch, event) =>
      tx.setRunStatus(runId, to, patch, event).then(note('run', runId, to, event)),
    updateRun: (runId, patch) => tx.updateRun(runId, patch),
    setTaskStatus: (runId, taskId, to, patch, event) =>
      tx.setTaskStatus(runId, taskId, to, patch, event).then(note('task', taskId, to, event)),
    updateTask: (runId, taskId, patch) => tx.updateTask(runId, taskId, patch),
    insertAttempt: (attempt, event) => tx.insertAttempt(attempt, event),
    setAttemptStatus: (attemptId, to, patch, event) =>
      tx.setAttemptStatus(attemptId, to, patch, event).then(note('attempt', attemptId, to, event)),
    updateAttempt: (attemptId, patch) => tx.updateAttempt(attemptId, patch),
    insertEvaluation: (evaluation, event) => tx.insertEvaluation(evaluation, event),
    apply: <T extends Transition>(t: T): Promise<TransitionResult<T>> => {
      // Not through the set*Status methods above: the real tx may call its own, and one change is one record.
      const id = t.entity === 'run' ? t.runId : t.entity === 'task' ? t.taskId : t.attemptId;
      return tx.apply(t).then(note(t.entity, id, t.to, t.event));
    },
    appendEvent: (event) => tx.appendEvent(event),
    assertLease: (runId, ownerId, token) => tx.assertLease(runId, ownerId, token),
    getRun: (runId) => tx.getRun(runId),
    getTask: (runId, taskId) => tx.getTask(runId, taskId),
    getAttempt: (attemptId) => tx.getAttempt(attemptId),
  };
}
