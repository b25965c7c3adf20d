import type {
  AgentEvent,
  AttemptRecord,
  BudgetLimit,
  EvaluationRecord,
  EvaluationReview,
  PlanTask,
  RunRecord,
  RunStatus,
  TaskRecord,
  Usage,
} from '../../../src/domain/index.js';

// The JSON bodies of the HTTP API. The domain records are imported as types (web/ may read
// src/domain); the views built on them live in src/engine, which web/ must not import, so they are
// restated here field for field — GET /api/openapi.json names each one.

export type {
  AgentEvent,
  AttemptRecord,
  EvaluationRecord,
  GafferEventType,
  EvaluationReview,
  RunRecord,
  RunStatus,
  StoredEvent,
  TaskStatus,
  Usage,
  VerifierResult,
} from '../../../src/domain/index.js';

/** A task as the run view shows it (engine `TaskView`). */
export interface TaskView extends TaskRecord {
  title: string;
  agent: string;
  usage: Usage;
  lastError: string | null;
}

/** An attempt with its evaluation (engine `AttemptView`). */
export interface AttemptView extends AttemptRecord {
  evaluation: EvaluationRecord | null;
}

/** A result waiting (or that waited) for a person (engine `Approval`). */
export interface Approval {
  kind: 'task' | 'final';
  approvalId: string;
  runId: string;
  taskId: string;
  attemptId: string;
  attempt: number;
  confidence: string;
  score: number;
  why: string;
  requestedAt: string;
  open: boolean;
  decision?: { decision: 'approved' | 'denied'; reason: string | null; by: string; at: string };
}

/** An agent's question nobody has answered yet (engine `OpenQuestion`). */
export interface OpenQuestion {
  questionId: string;
  taskId: string;
  attemptId: string;
  question: string;
  askedAt: string;
  proposal: string | null;
  confidence: number | null;
  reason: string | null;
}

/** One limit in force and what is spent against it (engine `BudgetLine`). */
export interface BudgetLine {
  scope: 'run' | 'task';
  taskId?: string;
  limit: BudgetLimit;
  spent: number;
  max: number;
}

/** `GET /api/runs/:id` (engine `RunView`, plus what this server knows of its drive). */
export interface RunView {
  run: RunRecord;
  tasks: TaskView[];
  attempts: AttemptView[];
  usage: Usage;
  openQuestions: OpenQuestion[];
  openApprovals: Approval[];
  budget: { lines: BudgetLine[]; pausedBy: unknown } | null;
  finalReview: { approvalId: string; commit: string; review: EvaluationReview; at: string } | null;
  driven: boolean;
  liveness: 'driven' | 'owner-gone' | 'idle';
  server: { driving: boolean; driveError: { code: string; message: string } | null };
}

/** One line of `GET /api/runs` (engine `RunSummary`). */
export interface RunSummary {
  id: string;
  status: RunStatus;
  reason: string | null;
  planPath: string;
  integrationBranch: string;
  createdAt: string;
  finishedAt: string | null;
  tasks: number;
  passed: number;
  attempts: number;
  usage: Usage;
}

/** `GET /api/attempts/:id/diff` (engine `AttemptDiff`). */
export interface AttemptDiff {
  attemptId: string;
  baseCommit: string;
  headCommit: string | null;
  files: string[];
  insertions: number;
  deletions: number;
  patch: string;
  truncated: boolean;
  available: boolean;
}

/** One record of an attempt's transcript. */
export interface TranscriptLine {
  at: string;
  event: AgentEvent;
}

/** What approve and deny answer. */
export interface DecisionReply {
  resumed: boolean;
}

/** The parts of a plan's task the dashboard shows. */
export type PlanTaskLike = Pick<
  PlanTask,
  'id' | 'title' | 'description' | 'depends_on' | 'acceptance_criteria'
>;
