import type { ColumnType } from 'kysely';

/** Column types shared by both dialects: timestamps are ISO strings, booleans 0/1, JSON text. */
export interface RunsTable {
  id: string;
  slug: string;
  status: string;
  reason: string | null;
  repo_path: string;
  plan_path: string;
  plan_json: string;
  options_json: string;
  base_branch: string;
  base_commit: string;
  integration_branch: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface TasksTable {
  run_id: string;
  task_id: string;
  status: string;
  attempts: number;
  reworks: number;
  branch: string;
  merge_commit: string | null;
  reason: string | null;
  files_changed: number;
  started_at: string | null;
  finished_at: string | null;
  /** Position in the plan, so listings keep plan order. */
  seq: number;
}

export interface AttemptsTable {
  id: string;
  run_id: string;
  task_id: string;
  number: number;
  kind: string;
  status: string;
  agent: string;
  worktree_path: string;
  branch: string;
  base_commit: string;
  head_commit: string | null;
  native_session_id: string | null;
  feedback: string | null;
  error: string | null;
  failure_json: string | null;
  usage_json: string | null;
  transcript_path: string | null;
  started_at: string;
  finished_at: string | null;
  /** JSON array of `AttemptRecord['processes']`; null until the first process is recorded. */
  processes_json: string | null;
}

export interface EvaluationsTable {
  id: string;
  run_id: string;
  task_id: string;
  attempt_id: string;
  passed: number;
  score: number;
  confidence: string;
  results_json: string;
  /** JSON of `EvaluationRecord['review']`; null when no reviewer ran (and on rows older than the column). */
  review_json: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: string;
}

export interface EventsTable {
  // PostgreSQL returns bigserial values as strings; the mapper turns them into numbers.
  id: ColumnType<number | string, never, never>;
  run_id: string;
  task_id: string | null;
  attempt_id: string | null;
  type: string;
  data_json: string;
  at: string;
}

export interface LeasesTable {
  run_id: string;
  owner_id: string;
  token: number;
  expires_at: string;
}

/** The Kysely view of Gaffer's database. */
export interface Database {
  runs: RunsTable;
  tasks: TasksTable;
  attempts: AttemptsTable;
  evaluations: EvaluationsTable;
  events: EventsTable;
  leases: LeasesTable;
}

export type StoreDialect = 'sqlite' | 'postgres';
