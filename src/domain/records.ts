import type { AttemptStatus, RunStatus, TaskStatus } from './status.js';
import type { Plan } from './plan.js';
import type { AgentFailure, Usage } from './agent.js';

/** Options a run was started with; snapshotted so resume behaves the same. */
export interface RunOptions {
  concurrency: number;
  keepGoing: boolean;
  schedule: 'critical-path' | 'waves';
  /** Agent forced for every task (`--agent`), overriding the plan. */
  agent?: string;
  /** The spec whose plan.yaml the run runs (`gaffer run --spec <id>`), so `gaffer spec trace` finds it. */
  spec?: string;
  /** The sha256 of the spec's plan.yaml the run was made from (a later revision is another plan). */
  specPlanSha256?: string;
}

export interface RunRecord {
  id: string;
  /** Used in branch names: `gaffer/<slug>`. */
  slug: string;
  status: RunStatus;
  /** Why the run is paused or failed. */
  reason: string | null;
  repoPath: string;
  planPath: string;
  plan: Plan;
  options: RunOptions;
  baseBranch: string;
  baseCommit: string;
  integrationBranch: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface TaskRecord {
  runId: string;
  taskId: string;
  status: TaskStatus;
  /** Number of attempts started so far. */
  attempts: number;
  /** Number of rework attempts started so far (attempts after a failed evaluation or a conflict). */
  reworks: number;
  branch: string;
  /** Commit on the integration branch that merged this task. */
  mergeCommit: string | null;
  reason: string | null;
  filesChanged: number;
  startedAt: string | null;
  finishedAt: string | null;
}

/** first try; rework after a setback; resume of an interrupted attempt; retry after a transient agent failure. */
export type AttemptKind = 'first' | 'rework' | 'resume' | 'retry';

export interface AttemptRecord {
  id: string;
  runId: string;
  taskId: string;
  number: number;
  kind: AttemptKind;
  status: AttemptStatus;
  agent: string;
  worktreePath: string;
  branch: string;
  baseCommit: string;
  headCommit: string | null;
  nativeSessionId: string | null;
  /** What the agent was told to fix (verifier output, conflict files); null on a first attempt. */
  feedback: string | null;
  error: string | null;
  /** Why the session failed, typed (retry, rework or stop); null unless the attempt failed. */
  failure: AgentFailure | null;
  usage: Usage | null;
  transcriptPath: string | null;
  startedAt: string;
  finishedAt: string | null;
  /**
   * The process groups started for this attempt (agent, commands it ran, checks), recorded as they
   * start so an engine taking over after a crash ends them first; `startMark` tells a recorded pid
   * from a recycled one. Absent until the first is recorded.
   */
  processes?: { pid: number; pgid: number; host: string; command: string; startMark: string | null }[];
}

export interface VerifierResult {
  name: string;
  /** argv that ran, or a description for built-in checks (deliverables, protected paths). */
  command: string;
  passed: boolean;
  exitCode: number | null;
  durationMs: number;
  timedOut: boolean;
  /** The useful tail of stdout+stderr. */
  output: string;
  /** It failed on the run's base commit too (`verifiers.baseline: allow_preexisting`): not the task's fault, does not fail it. */
  preexisting?: boolean;
}

/** The reviewer's word on one acceptance criterion. */
export type CriterionVerdict = 'met' | 'not_met' | 'cannot_tell';
export type CritiqueSeverity = 'critical' | 'major' | 'minor';

export interface CriterionJudgement {
  criterion: string;
  verdict: CriterionVerdict;
  /** Quoted from the diff or the check output; empty when the reviewer gave none. */
  evidence: string;
}

export interface Critique {
  severity: CritiqueSeverity;
  text: string;
}

/** What the LLM reviewer said about an attempt, as recorded with its evaluation. */
export interface EvaluationReview {
  /** The agent backend the review ran on, and the model when one was configured. */
  agent: string;
  model?: string;
  /**
   * `parsed`: the reply's JSON block was read. `unreadable`: no reply could be read (it did not
   * parse, or the session failed) even after one retry; every criterion is then `cannot_tell`.
   */
  status: 'parsed' | 'unreadable';
  /** One per acceptance criterion of the task, in the plan's order. */
  criteria: CriterionJudgement[];
  critiques: Critique[];
  summary: string;
  /** Why the last reply could not be read; absent when it was. */
  error?: string;
  /** Sessions the review took: 2 when the first reply had to be asked again. */
  sessions: number;
  /** The diff the reviewer saw was cut to fit its budget. */
  diffCut: boolean;
  usage: Usage | null;
}

export interface EvaluationRecord {
  id: string;
  runId: string;
  taskId: string;
  attemptId: string;
  passed: boolean;
  score: number;
  confidence: 'green' | 'yellow' | 'red';
  results: VerifierResult[];
  /** The LLM reviewer's verdict; absent when the plan has no reviewer (or `reviewer: none`). */
  review?: EvaluationReview;
  createdAt: string;
}

export interface LeaseRecord {
  runId: string;
  ownerId: string;
  /** Incremented on every take-over; writes from an older token are stale. */
  token: number;
  expiresAt: string;
}
