import type { CompiledQuery, Selectable, Transaction } from 'kysely';
import {
  ATTEMPT_STATUSES,
  GafferError,
  IllegalTransitionError,
  RUN_STATUSES,
  TASK_STATUSES,
  assertAttemptMove,
  assertRunMove,
  assertTaskMove,
  canMoveAttempt,
  canMoveRun,
  canMoveTask,
} from '../domain/index.js';
import type {
  Transition,
  TransitionResult,
  AttemptRecord,
  AttemptStatus,
  EvaluationRecord,
  GafferEvent,
  RunRecord,
  RunStatus,
  StoredEvent,
  TaskRecord,
  TaskStatus,
} from '../domain/index.js';
import type { AttemptsTable, Database, RunsTable, StoreDialect, TasksTable } from './schema.js';
import type { AttemptPatch, RunPatch, StoreTx, TaskPatch } from './store.js';
import {
  attemptPatchToRow,
  attemptToRow,
  evaluationToRow,
  eventToRow,
  rowToAttempt,
  rowToRun,
  rowToTask,
  runPatchToRow,
  runToRow,
  taskPatchToRow,
  taskToRow,
} from './row-mappers.js';
import { selectAttempt, selectRun, selectTask } from './read-queries.js';
import { slot, slotted } from './query-templates.js';
import type { QueryTemplates } from './query-templates.js';
import { attemptNotFound, leaseLost, lostRace, runNotFound, taskNotFound } from './store-errors.js';

// Keeps multi-row inserts under SQLite's and PostgreSQL's bound-parameter limits.
const INSERT_CHUNK = 500;

/** The statuses from which a move to `to` is legal: the compare-and-set condition of a status update. */
const sourcesOf = <S extends string>(all: readonly S[], canMove: (from: S, to: S) => boolean, to: S): S[] =>
  all.filter((from) => canMove(from, to));

const now = () => new Date().toISOString();

/**
 * {@link StoreTx} over one Kysely transaction.
 *
 * A status change is one conditional `UPDATE … WHERE status IN (legal sources) RETURNING *`
 * plus the event insert: the database checks the row's current status at write time, so no
 * concurrent change can slip between a read and a write. Only when nothing matched is the row
 * read, to report the illegal move (or the missing row). Both statements are compiled once per
 * shape ({@link QueryTemplates}).
 *
 * Writing transactions are serialised by the dialect (`BEGIN IMMEDIATE` on SQLite, an advisory
 * lock taken at `BEGIN` on PostgreSQL), so `events.id` grows in commit order.
 */
export class KyselyStoreTx implements StoreTx {
  constructor(
    private readonly trx: Transaction<Database>,
    private readonly templates: QueryTemplates,
    private readonly dialect: StoreDialect = 'sqlite',
  ) {}

  async assertLease(runId: string, ownerId: string, token: number): Promise<void> {
    let query = this.trx
      .selectFrom('leases')
      .select('run_id')
      .where('run_id', '=', runId)
      .where('owner_id', '=', ownerId)
      .where('token', '=', token);
    // SQLite has one writer at a time (BEGIN IMMEDIATE); PostgreSQL needs the row lock.
    if (this.dialect === 'postgres') query = query.forShare();
    if (!(await query.executeTakeFirst())) throw leaseLost(runId, ownerId, token);
  }

  async insertRun(run: RunRecord, tasks: TaskRecord[], event: GafferEvent): Promise<void> {
    await this.trx.insertInto('runs').values(runToRow(run)).execute();
    for (let start = 0; start < tasks.length; start += INSERT_CHUNK) {
      const rows = tasks.slice(start, start + INSERT_CHUNK).map((task, i) => taskToRow(task, start + i));
      await this.trx.insertInto('tasks').values(rows).execute();
    }
    await this.#insertEvent(event);
  }

  async insertTasks(runId: string, tasks: TaskRecord[]): Promise<void> {
    const last = await this.trx
      .selectFrom('tasks')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('run_id', '=', runId)
      .executeTakeFirst();
    const first = Number(last?.seq ?? -1) + 1;
    for (let start = 0; start < tasks.length; start += INSERT_CHUNK) {
      const rows = tasks
        .slice(start, start + INSERT_CHUNK)
        .map((task, i) => taskToRow(task, first + start + i));
      await this.trx.insertInto('tasks').values(rows).execute();
    }
  }

  async setRunStatus(
    runId: string,
    to: RunStatus,
    patch: RunPatch,
    event: GafferEvent,
    only?: readonly RunStatus[],
  ): Promise<RunRecord> {
    const row = await this.#compareAndSet<RunStatus, Selectable<RunsTable>>({
      machine: 'run',
      subject: runId,
      to,
      sources: sourcesOf(only ?? RUN_STATUSES, canMoveRun, to),
      set: { ...runPatchToRow(patch), updated_at: now() },
      update: (set, sources) =>
        this.trx
          .updateTable('runs')
          .set(set)
          .where('id', '=', slot<string>('runId'))
          .where('status', 'in', sources)
          .returningAll(),
      key: { runId },
      current: () => this.trx.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirst(),
      notFound: () => runNotFound(runId),
      assertMove: (from) => {
        if (only && !only.includes(from)) throw new IllegalTransitionError('run', from, to, runId);
        assertRunMove(runId, from, to);
      },
    });
    await this.#insertEvent(event);
    return rowToRun(row);
  }

  async updateRun(runId: string, patch: RunPatch): Promise<void> {
    const result = await this.trx
      .updateTable('runs')
      .set({ ...runPatchToRow(patch), updated_at: now() })
      .where('id', '=', runId)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw runNotFound(runId);
  }

  async setTaskStatus(
    runId: string,
    taskId: string,
    to: TaskStatus,
    patch: TaskPatch,
    event: GafferEvent,
    only?: readonly TaskStatus[],
  ): Promise<TaskRecord> {
    const subject = `${runId}/${taskId}`;
    const row = await this.#compareAndSet<TaskStatus, Selectable<TasksTable>>({
      machine: 'task',
      subject,
      to,
      sources: sourcesOf(only ?? TASK_STATUSES, canMoveTask, to),
      set: taskPatchToRow(patch),
      update: (set, sources) =>
        this.trx
          .updateTable('tasks')
          .set(set)
          .where('run_id', '=', slot<string>('runId'))
          .where('task_id', '=', slot<string>('taskId'))
          .where('status', 'in', sources)
          .returningAll(),
      key: { runId, taskId },
      current: () =>
        this.trx
          .selectFrom('tasks')
          .select('status')
          .where('run_id', '=', runId)
          .where('task_id', '=', taskId)
          .executeTakeFirst(),
      notFound: () => taskNotFound(runId, taskId),
      assertMove: (from) => {
        if (only && !only.includes(from)) throw new IllegalTransitionError('task', from, to, subject);
        assertTaskMove(subject, from, to);
      },
    });
    await this.#insertEvent(event);
    return rowToTask(row);
  }

  async updateTask(runId: string, taskId: string, patch: TaskPatch): Promise<void> {
    const values = taskPatchToRow(patch);
    if (Object.keys(values).length === 0) {
      if (!(await selectTask(this.trx, runId, taskId))) throw taskNotFound(runId, taskId);
      return;
    }
    const result = await this.trx
      .updateTable('tasks')
      .set(values)
      .where('run_id', '=', runId)
      .where('task_id', '=', taskId)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw taskNotFound(runId, taskId);
  }

  async insertAttempt(attempt: AttemptRecord, event: GafferEvent): Promise<void> {
    await this.trx.insertInto('attempts').values(attemptToRow(attempt)).execute();
    await this.#insertEvent(event);
  }

  async setAttemptStatus(
    attemptId: string,
    to: AttemptStatus,
    patch: AttemptPatch,
    event: GafferEvent,
  ): Promise<AttemptRecord> {
    const row = await this.#compareAndSet<AttemptStatus, Selectable<AttemptsTable>>({
      machine: 'attempt',
      subject: attemptId,
      to,
      sources: sourcesOf(ATTEMPT_STATUSES, canMoveAttempt, to),
      set: attemptPatchToRow(patch),
      update: (set, sources) =>
        this.trx
          .updateTable('attempts')
          .set(set)
          .where('id', '=', slot<string>('attemptId'))
          .where('status', 'in', sources)
          .returningAll(),
      key: { attemptId },
      current: () =>
        this.trx.selectFrom('attempts').select('status').where('id', '=', attemptId).executeTakeFirst(),
      notFound: () => attemptNotFound(attemptId),
      assertMove: (from) => assertAttemptMove(attemptId, from, to),
    });
    await this.#insertEvent(event);
    return rowToAttempt(row);
  }

  async updateAttempt(attemptId: string, patch: AttemptPatch): Promise<void> {
    const values = attemptPatchToRow(patch);
    if (Object.keys(values).length === 0) {
      if (!(await selectAttempt(this.trx, attemptId))) throw attemptNotFound(attemptId);
      return;
    }
    const result = await this.trx
      .updateTable('attempts')
      .set(values)
      .where('id', '=', attemptId)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw attemptNotFound(attemptId);
  }

  apply<T extends Transition>(transition: T): Promise<TransitionResult<T>> {
    const t: Transition = transition;
    switch (t.entity) {
      case 'run':
        return this.setRunStatus(t.runId, t.to, t.patch, t.event, t.from) as Promise<TransitionResult<T>>;
      case 'task':
        return this.setTaskStatus(t.runId, t.taskId, t.to, t.patch, t.event, t.from) as Promise<
          TransitionResult<T>
        >;
      case 'attempt':
        return this.setAttemptStatus(t.attemptId, t.to, t.patch, t.event) as Promise<TransitionResult<T>>;
    }
  }

  async insertEvaluation(evaluation: EvaluationRecord, event: GafferEvent): Promise<void> {
    await this.trx.insertInto('evaluations').values(evaluationToRow(evaluation)).execute();
    await this.#insertEvent(event);
  }

  async appendEvent(event: GafferEvent): Promise<StoredEvent> {
    const at = now();
    const values = slotted('event', eventToRow(event, at));
    const row = await this.#first(
      'event-returning-id',
      () => this.trx.insertInto('events').values(values.slots).returning('id'),
      values.values,
    );
    if (row === undefined) throw new GafferError('GAFFER_STORE', 'appending an event returned no id');
    return { ...event, id: Number(row.id), at };
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return selectRun(this.trx, runId);
  }

  getTask(runId: string, taskId: string): Promise<TaskRecord | undefined> {
    return selectTask(this.trx, runId, taskId);
  }

  getAttempt(attemptId: string): Promise<AttemptRecord | undefined> {
    return selectAttempt(this.trx, attemptId);
  }

  async #insertEvent(event: GafferEvent): Promise<void> {
    const values = slotted('event', eventToRow(event, now()));
    await this.trx.executeQuery(
      this.templates.bind('event', () => this.trx.insertInto('events').values(values.slots), values.values),
    );
  }

  /**
   * The one compare-and-set status update of runs, tasks and attempts: a conditional
   * `UPDATE … SET status = to WHERE key AND status IN (legal sources) RETURNING *`, compiled
   * once per shape. Only when nothing matched is the row read, to report the illegal move, the
   * missing row, or the race lost to a concurrent writer.
   */
  async #compareAndSet<S extends string, R>(spec: {
    machine: 'run' | 'task' | 'attempt';
    subject: string;
    to: S;
    sources: S[];
    set: Record<string, unknown>;
    update: (set: Record<string, unknown>, sources: S[]) => { compile(): CompiledQuery<R> };
    key: Record<string, string>;
    current: () => Promise<{ status: string } | undefined>;
    notFound: () => Error;
    assertMove: (from: S) => void;
  }): Promise<R> {
    const set = slotted('set', { ...spec.set, status: spec.to });
    const row =
      spec.sources.length === 0
        ? undefined
        : await this.#first<R>(
            // The legal sources are compiled into the statement: they belong to its key.
            `${spec.machine}-status:${spec.to}:${spec.sources.join('|')}:${Object.keys(set.values).join()}`,
            () => spec.update(set.slots, spec.sources),
            { ...set.values, ...spec.key },
          );
    if (row !== undefined) return row;
    const current = await spec.current();
    if (!current) throw spec.notFound();
    spec.assertMove(current.status as S);
    throw lostRace(`${spec.machine} ${spec.subject}`);
  }

  /** Runs the template `key` (built by `build` on first use) and returns its first row. */
  async #first<R>(
    key: string,
    build: () => { compile(): CompiledQuery<R> },
    values: Record<string, unknown>,
  ): Promise<R | undefined> {
    return (await this.trx.executeQuery(this.templates.bind(key, build, values))).rows[0];
  }
}
