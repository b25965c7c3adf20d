import type { AgentFailureKind, Usage } from './agent.js';
import type { BudgetLimit, Limits } from './plan.js';
import type { EvaluationReview, VerifierResult } from './records.js';

/**
 * Why a run paused: a person asked, a signal (Ctrl-C, SIGTERM), a budget breaker, an approval
 * gate, or an engine error (git, store) that stopped it where it was, resumable once fixed.
 */
export type PauseCause = 'user' | 'signal' | 'budget' | 'approval' | 'error';

interface Envelope<T extends string, D> {
  type: T;
  runId: string;
  taskId?: string;
  attemptId?: string;
  data: D;
}

/** Every state change, recorded in the same transaction as the change. One union feeds the store, CLI, SSE and UI. */
export type GafferEvent =
  | Envelope<
      'run.created',
      { planPath: string; tasks: number; baseBranch: string; integrationBranch: string }
    >
  | Envelope<'run.started', { ownerId: string; resumed: boolean }>
  | Envelope<'run.paused', { reason: string; by: PauseCause }>
  | Envelope<'run.resumed', { ownerId: string }>
  | Envelope<'run.completed', { passed: number; blocked: number; skipped: number }>
  | Envelope<'run.failed', { reason: string }>
  | Envelope<'run.cancelled', { reason: string }>
  | Envelope<'run.pause-requested', { reason: string; by: PauseCause }>
  | Envelope<'run.reopened', { tasks: string[]; continue: boolean }>
  | Envelope<'task.reopened', { fromAttempt: number; continue: boolean }>
  | Envelope<'run.cancel-requested', { reason: string }>
  | Envelope<'task.ready', Record<string, never>>
  | Envelope<'task.started', { attempt: number }>
  | Envelope<'task.evaluating', { attempt: number }>
  | Envelope<'task.rework', { attempt: number; reason: string }>
  | Envelope<'task.passed', { mergeCommit: string; filesChanged: number }>
  /**
   * What a passed task leaves for the tasks after it: the files its merge created, changed and
   * deleted, and the decisions and patterns its agent reported at the end of its session.
   */
  | Envelope<
      'task.knowledge',
      {
        attemptId: string | null;
        created: string[];
        changed: string[];
        deleted: string[];
        decisions: string[];
        patterns: string[];
      }
    >
  | Envelope<'task.blocked', { reason: string }>
  | Envelope<'task.skipped', { reason: string }>
  | Envelope<'task.superseded', { reason: string }>
  /**
   * A blocked task made the planner write a new plan for the unfinished part of the run
   * (`replan`: 1 for the first): the tasks it replaced and the ones it added.
   */
  | Envelope<
      'run.replanned',
      {
        replan: number;
        blocked: string[];
        superseded: string[];
        added: string[];
        rounds: number;
        usage: Usage | null;
      }
    >
  /** The planner's plan could not be used (it did not validate after the correction rounds, or the session failed). */
  | Envelope<
      'run.replan-failed',
      {
        replan: number;
        blocked: string[];
        reason: string;
        errors: string[];
        rounds: number;
        usage: Usage | null;
      }
    >
  | Envelope<'task.cancelled', { reason: string }>
  | Envelope<'task.requeued', { reason: string }>
  /**
   * The attempt's result passed its checks and waits for a person (the run's `autonomy`):
   * `approvalId` is the evaluation it is about, `why` says why it was not merged at once.
   */
  | Envelope<
      'task.awaiting-approval',
      { approvalId: string; attempt: number; confidence: string; score: number; why: string }
    >
  /** A person's decision on a waiting result: approved merges it, denied sends it back with the reason. */
  | Envelope<
      'approval.decided',
      { approvalId: string; decision: 'approved' | 'denied'; reason: string | null; by: string }
    >
  | Envelope<
      'attempt.started',
      { number: number; kind: string; agent: string; worktree: string; branch: string }
    >
  | Envelope<'attempt.running', Record<string, never>>
  | Envelope<'attempt.succeeded', { headCommit: string | null; filesChanged: number; usage: Usage | null }>
  | Envelope<
      'attempt.failed',
      { error: string; usage: Usage | null; kind?: AgentFailureKind; retryable?: boolean }
    >
  | Envelope<'attempt.retry-scheduled', { kind: AgentFailureKind; delayMs: number; retry: number }>
  | Envelope<'attempt.interrupted', { reason: string }>
  | Envelope<'attempt.aborted', { reason: string }>
  | Envelope<'attempt.protected-path-reverted', { paths: string[] }>
  /** Refs, config or hooks of the repository changed during the session; undone (`undone: false` where that failed). */
  | Envelope<
      'attempt.repository-tampered',
      { changes: { kind: string; name: string; before?: string; after?: string; undone: boolean }[] }
    >
  /** Files over the plan's size limits, taken out of the attempt before its commit (sizes in bytes). */
  | Envelope<
      'attempt.limits-exceeded',
      { paths: { path: string; bytes: number }[]; totalBytes: number; limits: Limits }
    >
  /** Processes a dead owner's attempt left running, ended before another attempt used its worktree. */
  | Envelope<'attempt.processes-ended', { pids: number[]; commands: string[] }>
  | Envelope<'attempt.question-asked', { questionId: string; question: string }>
  /**
   * The foreman was not sure enough (or could not answer): the question waits for a person, with
   * the foreman's proposal (null when it had none) and its confidence.
   */
  | Envelope<
      'attempt.question-escalated',
      {
        questionId: string;
        proposal: string | null;
        confidence: number | null;
        reason: string;
        /** What the foreman's session spent (counted against the budgets). */
        usage?: Usage | null;
      }
    >
  | Envelope<
      'attempt.question-answered',
      {
        questionId: string;
        question: string;
        answer: string;
        by: string;
        /** What the foreman's session spent, when it answered (counted against the budgets). */
        usage?: Usage | null;
      }
    >
  | Envelope<
      'evaluation.completed',
      /** `commit`: the task branch's commit the checks judged (a merge takes only that commit). */
      { passed: boolean; score: number; confidence: string; failed: string[]; commit?: string }
    >
  | Envelope<'merge.conflicted', { files: string[]; rebased: boolean; headCommit?: string }>
  | Envelope<'merge.rebased', { headCommit: string }>
  | Envelope<
      'run.baseline-completed',
      {
        commit: string;
        checks: (Pick<
          VerifierResult,
          'name' | 'command' | 'passed' | 'exitCode' | 'durationMs' | 'timedOut'
        > & {
          /** It could not run at all (tool missing, dependencies not installed), as opposed to failing. */
          cannotRun: boolean;
          tail: string;
          /** What to do about it (skip it, install the tool, run the setup command); absent when it passed. */
          fix?: string;
          /** A failed check's failures and count, to compare a task's run with (absent in older logs). */
          markers?: string[];
          failureCount?: number;
        })[];
        cached: boolean;
        policy: 'require_green' | 'allow_preexisting';
      }
    >
  | Envelope<'run.no-checks', { commit: string; hint: string }>
  /** The permission policy refused a tool use of the attempt's agent (its input redacted and cut). */
  | Envelope<'attempt.denied', { tool: string; reason: string; input: string }>
  /** The sandbox refused a connection of the attempt's agent (a host the plan does not allow). */
  | Envelope<'attempt.network-denied', { host: string; port: number; method: string; reason: string }>
  /** Each drive of a run whose plan says `sandbox: off`. */
  | Envelope<'run.unsandboxed', { warning: string }>
  /** Said when the run is created: something of the repository task worktrees will not have (LFS content, submodules). */
  | Envelope<'run.warning', { warning: string }>
  /**
   * The plan's `worktree.setup` ran in a task's worktree before its agent (no attempt yet): its
   * result like a check's (output: the redacted useful tail), and why it ran. A failed setup blocks the task.
   */
  | Envelope<'task.setup-completed', { result: VerifierResult; worktree: string; why: string }>
  | Envelope<'evaluation.no-checks', { note: string }>
  /** A check is starting in the attempt's worktree, so views can say which one runs. */
  | Envelope<'evaluation.check-started', { name: string; command: string }>
  | Envelope<'merge.completed', { commit: string }>
  /**
   * The task's checks on the integration branch right after the attempt's merge, in a worktree of
   * it: `commit` is the head they ran on, `merge` the attempt's merge commit (the same, unless a
   * resume found later work on top). A failure is pinned on this merge: recorded before the merge
   * is taken out, so a crash in between takes it out on resume, once.
   */
  | Envelope<
      'merge.health-checked',
      {
        commit: string;
        merge: string;
        passed: boolean;
        checks: (Pick<
          VerifierResult,
          'name' | 'command' | 'passed' | 'exitCode' | 'durationMs' | 'timedOut'
        > & {
          tail: string;
        })[];
      }
    >
  /**
   * A merge that failed its health check was taken back out of the integration branch: `reset`
   * (nothing was merged on top: the branch is back where it was) or `revert` (a revert commit).
   */
  | Envelope<
      'merge.reverted',
      { commit: string; how: 'reset' | 'revert'; integrationHead: string; reason: string }
    >
  /**
   * A limit was reached (`scope: task` with the task in the envelope): what was spent, the limit,
   * and — when an attempt was about to start — the estimate of what it would cost at least.
   * The run pauses once the work in flight reaches a safe point.
   */
  | Envelope<
      'run.budget-exceeded',
      { scope: BudgetScope; limit: BudgetLimit; spent: number; max: number; estimate?: number }
    >
  /**
   * Before the run completes, the reviewer read the whole integration diff (`commit`: the
   * integration head it judged) against every task's acceptance criteria; under `review_yellow`
   * and `review_all` the run waits for `approvalId` to be approved.
   */
  | Envelope<'run.final-review', { approvalId: string; commit: string; review: EvaluationReview }>
  /** A person raised limits (`gaffer resume --raise`): each from its old value to its new one. */
  | Envelope<'run.budget-raised', { raises: BudgetRaise[] }>;

/** Whose limit: the whole run's, or one task's. */
export type BudgetScope = 'run' | 'task';

/** One limit a person raised. */
export interface BudgetRaise {
  scope: BudgetScope;
  taskId?: string;
  limit: BudgetLimit;
  from: number;
  to: number;
}

export type GafferEventType = GafferEvent['type'];

/** An event as read back from the log: with its monotonic id and time. */
export type StoredEvent = GafferEvent & { id: number; at: string };
