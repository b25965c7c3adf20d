import type { Kysely } from 'kysely';
import type { AttemptRecord, EvaluationRecord, RunRecord, StoredEvent, TaskRecord } from '../domain/index.js';
import type { Database } from './schema.js';
import type { EventQuery } from './store.js';
import { rowToAttempt, rowToEvaluation, rowToEvent, rowToRun, rowToTask } from './row-mappers.js';

// Reads shared by the store and its transactions (a Kysely Transaction is a Kysely).

export async function selectRun(db: Kysely<Database>, runId: string): Promise<RunRecord | undefined> {
  const row = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
  return row && rowToRun(row);
}

export async function selectRuns(db: Kysely<Database>): Promise<RunRecord[]> {
  const rows = await db
    .selectFrom('runs')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(rowToRun);
}

export async function selectTask(
  db: Kysely<Database>,
  runId: string,
  taskId: string,
): Promise<TaskRecord | undefined> {
  const row = await db
    .selectFrom('tasks')
    .selectAll()
    .where('run_id', '=', runId)
    .where('task_id', '=', taskId)
    .executeTakeFirst();
  return row && rowToTask(row);
}

export async function selectTasks(db: Kysely<Database>, runId: string): Promise<TaskRecord[]> {
  const rows = await db.selectFrom('tasks').selectAll().where('run_id', '=', runId).orderBy('seq').execute();
  return rows.map(rowToTask);
}

export async function selectAttempt(
  db: Kysely<Database>,
  attemptId: string,
): Promise<AttemptRecord | undefined> {
  const row = await db.selectFrom('attempts').selectAll().where('id', '=', attemptId).executeTakeFirst();
  return row && rowToAttempt(row);
}

export async function selectAttempts(
  db: Kysely<Database>,
  runId: string,
  taskId?: string,
): Promise<AttemptRecord[]> {
  let query = db.selectFrom('attempts').selectAll().where('run_id', '=', runId);
  if (taskId !== undefined) query = query.where('task_id', '=', taskId);
  const rows = await query.orderBy('task_id').orderBy('number').execute();
  return rows.map(rowToAttempt);
}

export async function selectEvaluations(
  db: Kysely<Database>,
  runId: string,
  taskId?: string,
): Promise<EvaluationRecord[]> {
  let query = db.selectFrom('evaluations').selectAll().where('run_id', '=', runId);
  if (taskId !== undefined) query = query.where('task_id', '=', taskId);
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map(rowToEvaluation);
}

export async function selectEvents(db: Kysely<Database>, query: EventQuery): Promise<StoredEvent[]> {
  if (query.types?.length === 0) return [];
  let select = db.selectFrom('events').selectAll();
  if (query.runId !== undefined) select = select.where('run_id', '=', query.runId);
  if (query.taskId !== undefined) select = select.where('task_id', '=', query.taskId);
  if (query.types !== undefined) select = select.where('type', 'in', [...query.types]);
  if (query.afterId !== undefined) select = select.where('id', '>', query.afterId);
  select = select.orderBy('id');
  if (query.limit !== undefined) select = select.limit(query.limit);
  const rows = await select.execute();
  return rows.map(rowToEvent);
}

export async function selectLastEventId(db: Kysely<Database>, runId: string): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select('id')
    .where('run_id', '=', runId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? 0 : Number(row.id);
}
