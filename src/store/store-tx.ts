import type { CompiledQuery, Selectable, Transaction } from 'kysely';
import {
  ATTEMPT_STATUSES,
  GafferError,
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
import type { AttemptsTable, Database, RunsTable, TasksTable } from './schema.js';
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
import { attemptNotFound, lostRace, runNotFound, taskNotFound } from './store-errors.js';

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
  ) {}

  async insertRun(run: RunRecord, tasks: TaskRecord[], event: GafferEvent): Promise<void> {
    await this.trx.insertInto('runs').values(runToRow(run)).execute();
    for (let start = 0; start < tasks.length; start += INSERT_CHUNK) {
      const rows = tasks.slice(start, start + INSERT_CHUNK).map((task, i) => taskToRow(task, start + i));
      await this.trx.insertInto('tasks').values(rows).execute();
    }
    await this.#insertEvent(event);
  }

  async setRunStatus(runId: string, to: RunStatus, patch: RunPatch, event: GafferEvent): Promise<RunRecord> {
    const set = slotted('set', { ...runPatchToRow(patch), status: to, updated_at: now() });
    const sources = sourcesOf(RUN_STATUSES, canMoveRun, to);
    const row =
      sources.length === 0
        ? undefined
        : await this.#first<Selectable<RunsTable>>(
            `run-status:${to}:${Object.keys(set.values).join()}`,
            () =>
              this.trx
                .updateTable('runs')
                .set(set.slots)
                .where('id', '=', slot<string>('runId'))
                .where('status', 'in', sources)
                .returningAll(),
            { ...set.values, runId },
          );
    if (!row) {
      const current = await this.trx
        .selectFrom('runs')
        .select('status')
        .where('id', '=', runId)
        .executeTakeFirst();
      if (!current) throw runNotFound(runId);
      assertRunMove(runId, current.status as RunStatus, to);
      throw lostRace(`run ${runId}`);
    }
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
  ): Promise<TaskRecord> {
    const set = slotted('set', { ...taskPatchToRow(patch), status: to });
    const sources = sourcesOf(TASK_STATUSES, canMoveTask, to);
    const row =
      sources.length === 0
        ? undefined
        : await this.#first<Selectable<TasksTable>>(
            `task-status:${to}:${Object.keys(set.values).join()}`,
            () =>
              this.trx
                .updateTable('tasks')
                .set(set.slots)
                .where('run_id', '=', slot<string>('runId'))
                .where('task_id', '=', slot<string>('taskId'))
                .where('status', 'in', sources)
                .returningAll(),
            { ...set.values, runId, taskId },
          );
    if (!row) {
      const current = await this.trx
        .selectFrom('tasks')
        .select('status')
        .where('run_id', '=', runId)
        .where('task_id', '=', taskId)
        .executeTakeFirst();
      if (!current) throw taskNotFound(runId, taskId);
      assertTaskMove(`${runId}/${taskId}`, current.status as TaskStatus, to);
      throw lostRace(`task ${runId}/${taskId}`);
    }
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
    const set = slotted('set', { ...attemptPatchToRow(patch), status: to });
    const sources = sourcesOf(ATTEMPT_STATUSES, canMoveAttempt, to);
    const row =
      sources.length === 0
        ? undefined
        : await this.#first<Selectable<AttemptsTable>>(
            `attempt-status:${to}:${Object.keys(set.values).join()}`,
            () =>
              this.trx
                .updateTable('attempts')
                .set(set.slots)
                .where('id', '=', slot<string>('attemptId'))
                .where('status', 'in', sources)
                .returningAll(),
            { ...set.values, attemptId },
          );
    if (!row) {
      const current = await this.trx
        .selectFrom('attempts')
        .select('status')
        .where('id', '=', attemptId)
        .executeTakeFirst();
      if (!current) throw attemptNotFound(attemptId);
      assertAttemptMove(attemptId, current.status as AttemptStatus, to);
      throw lostRace(`attempt ${attemptId}`);
    }
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

  /** Runs the template `key` (built by `build` on first use) and returns its first row. */
  async #first<R>(
    key: string,
    build: () => { compile(): CompiledQuery<R> },
    values: Record<string, unknown>,
  ): Promise<R | undefined> {
    return (await this.trx.executeQuery(this.templates.bind(key, build, values))).rows[0];
  }
}
