import type { Insertable, Selectable, Updateable } from 'kysely';
import type {
  AttemptRecord,
  AttemptStatus,
  EvaluationRecord,
  GafferEvent,
  LeaseRecord,
  RunRecord,
  RunStatus,
  StoredEvent,
  TaskRecord,
  TaskStatus,
} from '../domain/index.js';
import type { AttemptPatch, RunPatch, TaskPatch } from './store.js';
import type {
  AttemptsTable,
  EvaluationsTable,
  EventsTable,
  LeasesTable,
  RunsTable,
  TasksTable,
} from './schema.js';

// The one place that knows how records become rows and back. Status and kind columns hold
// values written by this module only, so reading them back as their union types is safe.

export function runToRow(run: RunRecord): Insertable<RunsTable> {
  return {
    id: run.id,
    slug: run.slug,
    status: run.status,
    reason: run.reason,
    repo_path: run.repoPath,
    plan_path: run.planPath,
    plan_json: JSON.stringify(run.plan),
    options_json: JSON.stringify(run.options),
    base_branch: run.baseBranch,
    base_commit: run.baseCommit,
    integration_branch: run.integrationBranch,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    finished_at: run.finishedAt,
  };
}

export function rowToRun(row: Selectable<RunsTable>): RunRecord {
  return {
    id: row.id,
    slug: row.slug,
    status: row.status as RunStatus,
    reason: row.reason,
    repoPath: row.repo_path,
    planPath: row.plan_path,
    plan: JSON.parse(row.plan_json) as RunRecord['plan'],
    options: JSON.parse(row.options_json) as RunRecord['options'],
    baseBranch: row.base_branch,
    baseCommit: row.base_commit,
    integrationBranch: row.integration_branch,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export function runPatchToRow(patch: RunPatch): Updateable<RunsTable> {
  const row: Updateable<RunsTable> = {};
  if (patch.reason !== undefined) row.reason = patch.reason;
  if (patch.finishedAt !== undefined) row.finished_at = patch.finishedAt;
  if (patch.options !== undefined) row.options_json = JSON.stringify(patch.options);
  if (patch.plan !== undefined) row.plan_json = JSON.stringify(patch.plan);
  return row;
}

export function taskToRow(task: TaskRecord, seq: number): Insertable<TasksTable> {
  return {
    run_id: task.runId,
    task_id: task.taskId,
    status: task.status,
    attempts: task.attempts,
    reworks: task.reworks,
    branch: task.branch,
    merge_commit: task.mergeCommit,
    reason: task.reason,
    files_changed: task.filesChanged,
    started_at: task.startedAt,
    finished_at: task.finishedAt,
    seq,
  };
}

export function rowToTask(row: Selectable<TasksTable>): TaskRecord {
  return {
    runId: row.run_id,
    taskId: row.task_id,
    status: row.status as TaskStatus,
    attempts: row.attempts,
    reworks: row.reworks,
    branch: row.branch,
    mergeCommit: row.merge_commit,
    reason: row.reason,
    filesChanged: row.files_changed,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function taskPatchToRow(patch: TaskPatch): Updateable<TasksTable> {
  const row: Updateable<TasksTable> = {};
  if (patch.attempts !== undefined) row.attempts = patch.attempts;
  if (patch.reworks !== undefined) row.reworks = patch.reworks;
  if (patch.mergeCommit !== undefined) row.merge_commit = patch.mergeCommit;
  if (patch.reason !== undefined) row.reason = patch.reason;
  if (patch.filesChanged !== undefined) row.files_changed = patch.filesChanged;
  if (patch.startedAt !== undefined) row.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) row.finished_at = patch.finishedAt;
  return row;
}

export function attemptToRow(attempt: AttemptRecord): Insertable<AttemptsTable> {
  return {
    id: attempt.id,
    run_id: attempt.runId,
    task_id: attempt.taskId,
    number: attempt.number,
    kind: attempt.kind,
    status: attempt.status,
    agent: attempt.agent,
    worktree_path: attempt.worktreePath,
    branch: attempt.branch,
    base_commit: attempt.baseCommit,
    head_commit: attempt.headCommit,
    native_session_id: attempt.nativeSessionId,
    feedback: attempt.feedback,
    error: attempt.error,
    failure_json: attempt.failure === null ? null : JSON.stringify(attempt.failure),
    usage_json: attempt.usage === null ? null : JSON.stringify(attempt.usage),
    transcript_path: attempt.transcriptPath,
    started_at: attempt.startedAt,
    finished_at: attempt.finishedAt,
    processes_json: attempt.processes === undefined ? null : JSON.stringify(attempt.processes),
  };
}

export function rowToAttempt(row: Selectable<AttemptsTable>): AttemptRecord {
  return {
    id: row.id,
    runId: row.run_id,
    taskId: row.task_id,
    number: row.number,
    kind: row.kind as AttemptRecord['kind'],
    status: row.status as AttemptStatus,
    agent: row.agent,
    worktreePath: row.worktree_path,
    branch: row.branch,
    baseCommit: row.base_commit,
    headCommit: row.head_commit,
    nativeSessionId: row.native_session_id,
    feedback: row.feedback,
    error: row.error,
    failure: row.failure_json === null ? null : (JSON.parse(row.failure_json) as AttemptRecord['failure']),
    usage: row.usage_json === null ? null : (JSON.parse(row.usage_json) as AttemptRecord['usage']),
    transcriptPath: row.transcript_path,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    // Left out rather than empty, so a read-back attempt equals what was written.
    ...(row.processes_json === null
      ? {}
      : { processes: JSON.parse(row.processes_json) as NonNullable<AttemptRecord['processes']> }),
  };
}

export function attemptPatchToRow(patch: AttemptPatch): Updateable<AttemptsTable> {
  const row: Updateable<AttemptsTable> = {};
  if (patch.headCommit !== undefined) row.head_commit = patch.headCommit;
  if (patch.nativeSessionId !== undefined) row.native_session_id = patch.nativeSessionId;
  if (patch.error !== undefined) row.error = patch.error;
  if (patch.failure !== undefined)
    row.failure_json = patch.failure === null ? null : JSON.stringify(patch.failure);
  if (patch.usage !== undefined) row.usage_json = patch.usage === null ? null : JSON.stringify(patch.usage);
  if (patch.transcriptPath !== undefined) row.transcript_path = patch.transcriptPath;
  if (patch.finishedAt !== undefined) row.finished_at = patch.finishedAt;
  if (patch.processes !== undefined) row.processes_json = JSON.stringify(patch.processes);
  return row;
}

export function evaluationToRow(evaluation: EvaluationRecord): Insertable<EvaluationsTable> {
  return {
    id: evaluation.id,
    run_id: evaluation.runId,
    task_id: evaluation.taskId,
    attempt_id: evaluation.attemptId,
    passed: evaluation.passed ? 1 : 0,
    score: evaluation.score,
    confidence: evaluation.confidence,
    results_json: JSON.stringify(evaluation.results),
    review_json: evaluation.review === undefined ? null : JSON.stringify(evaluation.review),
    created_at: evaluation.createdAt,
  };
}

export function rowToEvaluation(row: Selectable<EvaluationsTable>): EvaluationRecord {
  return {
    id: row.id,
    runId: row.run_id,
    taskId: row.task_id,
    attemptId: row.attempt_id,
    passed: row.passed === 1,
    score: row.score,
    confidence: row.confidence as EvaluationRecord['confidence'],
    results: JSON.parse(row.results_json) as EvaluationRecord['results'],
    ...(row.review_json === null || row.review_json === undefined
      ? {}
      : { review: JSON.parse(row.review_json) as NonNullable<EvaluationRecord['review']> }),
    createdAt: row.created_at,
  };
}

export function eventToRow(event: GafferEvent, at: string): Insertable<EventsTable> {
  return {
    run_id: event.runId,
    task_id: event.taskId ?? null,
    attempt_id: event.attemptId ?? null,
    type: event.type,
    data_json: JSON.stringify(event.data),
    at,
  };
}

export function rowToEvent(row: Selectable<EventsTable>): StoredEvent {
  // Optional ids are left out rather than set to undefined so a read-back event equals what was written.
  const event = { id: Number(row.id), at: row.at, type: row.type, runId: row.run_id } as StoredEvent;
  if (row.task_id !== null) event.taskId = row.task_id;
  if (row.attempt_id !== null) event.attemptId = row.attempt_id;
  event.data = JSON.parse(row.data_json) as StoredEvent['data'];
  return event;
}

export function rowToLease(row: Selectable<LeasesTable>): LeaseRecord {
  return { runId: row.run_id, ownerId: row.owner_id, token: Number(row.token), expiresAt: row.expires_at };
}
