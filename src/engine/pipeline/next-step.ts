import type {
  AgentFailure,
  AgentFailureKind,
  Autonomy,
  AttemptKind,
  AttemptRecord,
  EvaluationRecord,
  RetryPolicy,
  TaskRecord,
  VerifierResult,
} from '../../domain/index.js';
import { agentFailure, isTerminalAttempt, retryDelayMs } from '../../domain/index.js';
import { evaluationSetback } from '../../verify/index.js';
import { approvalNeeded } from './approval-policy.js';

/** What the pipeline knows of a task, all of it read back from the store. */
export interface TaskFacts {
  task: TaskRecord;
  /** This task's attempts, oldest first. */
  attempts: readonly AttemptRecord[];
  /** The evaluation of the newest attempt, if it was evaluated. */
  evaluation: EvaluationRecord | undefined;
  /** Files that conflicted when the newest attempt's branch was merged, if it conflicted. */
  conflict: readonly string[] | undefined;
  /** Protected paths the newest attempt changed (reverted by the guard). */
  reverted: readonly string[];
  /**
   * The newest attempt's merge broke the integration branch's checks and is not taken out yet:
   * the merge commit and the checks as they ran there.
   */
  brokeIntegration: { merge: string; checks: readonly VerifierResult[] } | undefined;
  /** A person's decision on the newest evaluation, when the run's autonomy asked for one. */
  decision: ApprovalDecision | undefined;
  autonomy: Autonomy;
  maxRework: number;
  retry: RetryPolicy;
}

/** What a person decided on a waiting result (`gaffer approve` / `gaffer deny --reason`). */
export interface ApprovalDecision {
  decision: 'approved' | 'denied';
  reason: string | null;
}

/** A failure that sends the task back: a short reason for status views, full feedback for the agent. */
export interface Setback {
  reason: string;
  feedback: string;
}

/** The one next thing to do for a task. */
export type NextStep =
  | { type: 'passed' }
  | {
      type: 'attempt';
      kind: AttemptKind;
      /** What the agent is told to fix (rework) or was fixing (resume, retry). */
      feedback: string | null;
      resumeSessionId?: string;
      /** After a merge conflict the worktree starts over on the integration head. */
      fromIntegration: boolean;
    }
  | { type: 'retry'; after: AttemptRecord; failure: AgentFailure; delayMs: number; retry: number }
  | { type: 'evaluate'; attempt: AttemptRecord }
  | { type: 'merge'; attempt: AttemptRecord }
  /** The merge broke the integration branch: take it back out, then rework (or block, when the rework budget is spent). */
  | {
      type: 'take-out';
      attempt: AttemptRecord;
      merge: string;
      then: { type: 'rework'; setback: Setback } | { type: 'block'; reason: string };
    }
  /** The result passed but waits for a person: `why` says what the run's autonomy asks. */
  | { type: 'await-approval'; attempt: AttemptRecord; evaluation: EvaluationRecord; why: string }
  | { type: 'rework'; setback: Setback }
  | { type: 'block'; reason: string };

/** Failures no attempt can fix: the task stops at once and the user is told the fix. */
const CONFIGURATION: ReadonlySet<AgentFailureKind> = new Set(['auth', 'config', 'binary_missing']);

/**
 * Decides a task's next step from its recorded state alone — like the scheduler, a pure
 * function the pipeline drives. Because every step records its result before the next is
 * decided, a crash or pause anywhere resumes at the right step: checks are re-run without
 * another agent session, a recorded failure keeps its feedback, a merge is retried.
 */
export function nextStep(facts: TaskFacts): NextStep {
  const { task } = facts;
  if (task.status === 'passed') return { type: 'passed' };
  // A recorded setback (task.rework keeps its feedback on the task, as does `retry --continue`)
  // waits for its rework attempt.
  if (task.reason !== null)
    return attempt('rework', task.reason, { fromIntegration: facts.conflict !== undefined });
  const last = facts.attempts.at(-1);
  if (!last) return attempt('first', null);
  if (!isTerminalAttempt(last.status) || last.status === 'interrupted' || last.status === 'aborted') {
    return attempt('resume', last.feedback, resumeFrom(last));
  }
  if (last.status === 'failed') return afterFailure(facts, last);
  if (facts.brokeIntegration) {
    const { merge, checks } = facts.brokeIntegration;
    return { type: 'take-out', attempt: last, merge, then: afterBrokenIntegration(facts, checks) };
  }
  if (facts.conflict) return setback(facts, conflictSetback(facts.conflict));
  if (!facts.evaluation) return { type: 'evaluate', attempt: last };
  if (!facts.evaluation.passed) return setback(facts, evaluationSetback(facts.evaluation.results));
  const why = approvalNeeded(facts.autonomy, facts.evaluation);
  if (why !== undefined) {
    if (!facts.decision) return { type: 'await-approval', attempt: last, evaluation: facts.evaluation, why };
    // A person asked for changes: that rework is theirs to ask for, whatever the rework budget says.
    if (facts.decision.decision === 'denied')
      return { type: 'rework', setback: denialSetback(facts.decision) };
  }
  return { type: 'merge', attempt: last };
}

function denialSetback(decision: ApprovalDecision): Setback {
  const reason = decision.reason ?? 'no reason given';
  return {
    reason: `denied: ${firstLine(reason)}`,
    feedback: `A person reviewed your result and did not approve it. Change it as they ask:\n${reason}`,
  };
}

/** Transient failures are retried under the policy without spending rework; configuration ones stop the task. */
function afterFailure(facts: TaskFacts, last: AttemptRecord): NextStep {
  const error = last.error ?? 'the agent session failed';
  const failure = last.failure ?? agentFailure('task_failed', error);
  if (CONFIGURATION.has(failure.kind)) {
    return { type: 'block', reason: failure.hint ? `${failure.message} — ${failure.hint}` : failure.message };
  }
  const retries = retriesSinceLastTry(facts.attempts);
  const delayMs = retryDelayMs(facts.retry, failure, retries);
  if (delayMs !== undefined) return { type: 'retry', after: last, failure, delayMs, retry: retries + 1 };
  return setback(facts, {
    reason: `agent failed: ${firstLine(error)}`,
    feedback: `The agent session failed:\n${error}`,
  });
}

/**
 * What follows a merge that broke the integration branch's checks, once it is taken out: a rework
 * told what failed there, or — the rework budget spent — the task blocked.
 */
export function afterBrokenIntegration(
  facts: Pick<TaskFacts, 'task' | 'maxRework'>,
  checks: readonly VerifierResult[],
): { type: 'rework'; setback: Setback } | { type: 'block'; reason: string } {
  return setback(facts, healthSetback(checks));
}

/** Rework while the budget lasts, then the task is blocked. */
function setback(
  facts: Pick<TaskFacts, 'task' | 'maxRework'>,
  s: Setback,
): { type: 'rework'; setback: Setback } | { type: 'block'; reason: string } {
  return facts.task.reworks >= facts.maxRework
    ? { type: 'block', reason: s.reason }
    : { type: 'rework', setback: s };
}

/** What the rework after a failed health check is told: the checks' failures on the merged result. */
function healthSetback(checks: readonly VerifierResult[]): Setback {
  const failed = evaluationSetback(checks);
  return {
    reason: `health check after merge: ${failed.reason}`,
    feedback: [
      'Your work passed its own checks and was merged, but with the work other tasks merged meanwhile the checks failed on the integration branch, so the merge was taken back out.',
      'The worktree now holds your changes on top of the current integration branch. Make them work together with it; this is what failed there:',
      '',
      failed.feedback,
    ].join('\n'),
  };
}

function conflictSetback(files: readonly string[]): Setback {
  return {
    reason: `merge conflict in ${files.join(', ')}`,
    feedback: [
      'Your changes conflicted with work merged meanwhile by other tasks, and could not be rebased.',
      'The worktree now starts from the current integration branch. Redo the task on top of it; these files conflicted:',
      ...files.map((file) => `- ${file}`),
    ].join('\n'),
  };
}

/** Retries since the task's newest first or rework attempt: the policy's count is per setback. */
function retriesSinceLastTry(attempts: readonly AttemptRecord[]): number {
  let retries = 0;
  for (let i = attempts.length - 1; i >= 0; i--) {
    const kind = attempts[i]?.kind;
    if (kind === 'first' || kind === 'rework') break;
    if (kind === 'retry') retries += 1;
  }
  return retries;
}

const resumeFrom = (last: AttemptRecord) =>
  last.nativeSessionId === null ? {} : { resumeSessionId: last.nativeSessionId };

function attempt(
  kind: AttemptKind,
  feedback: string | null,
  extra: { resumeSessionId?: string; fromIntegration?: boolean } = {},
): NextStep {
  return {
    type: 'attempt',
    kind,
    feedback,
    fromIntegration: extra.fromIntegration ?? false,
    ...(extra.resumeSessionId === undefined ? {} : { resumeSessionId: extra.resumeSessionId }),
  };
}

const firstLine = (text: string) =>
  text
    .split('\n')
    .find((line) => line.trim())
    ?.trim() ?? text;
