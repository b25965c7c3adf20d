import type {
  EvaluationReview,
  PlanSettings,
  PlanTask,
  ReviewerSettings,
  VerifierResult,
} from '../domain/index.js';
import type { BaselineEntry } from './baseline-compare.js';
import { markPreexisting } from './baseline-compare.js';
import type { EvaluationOutcome } from './evaluate-worktree.js';
import { scoreResults } from './evaluate-worktree.js';
import { formatFailures } from './format-failures.js';
import { resolveVerifiers } from './resolve-verifiers.js';
import { scoreEvaluation } from './review/confidence-formula.js';
import { REVIEWER, reviewerNotes, reviewResult } from './review/review-result.js';
import type { VerifierCommand } from './verifier-command.js';

/** Per-verifier time limit when neither the plan nor the task sets `verifiers.timeout_s`. */
export const DEFAULT_VERIFIER_TIMEOUT_S = 600;

/** Which checks a task's result must pass, and how long each may take. */
export interface CheckPlan {
  verifiers: VerifierCommand[];
  timeoutMs: number;
  deliverables: readonly string[];
}

/** The checks of a task: detected ones, narrowed by the plan's then the task's `verifiers` settings. */
export function checksFor(
  detected: readonly VerifierCommand[],
  settings: Pick<PlanSettings, 'verifiers'>,
  task: Pick<PlanTask, 'verifiers' | 'deliverables'>,
): CheckPlan {
  const timeoutS = task.verifiers?.timeout_s ?? settings.verifiers?.timeout_s ?? DEFAULT_VERIFIER_TIMEOUT_S;
  return {
    verifiers: resolveVerifiers(detected, settings.verifiers, task.verifiers),
    timeoutMs: timeoutS * 1000,
    deliverables: task.deliverables,
  };
}

/** The result that records reverted protected-path changes: a failed check, told to the agent. */
export function protectedPathResult(violations: readonly string[]): VerifierResult {
  return {
    name: 'protected-paths',
    command: 'diff check against protected paths',
    passed: false,
    exitCode: null,
    durationMs: 0,
    timedOut: false,
    output: `These protected paths were changed and have been reverted: ${violations.join(', ')}. Do not change them.`,
  };
}

/** What `judge` knows beyond the results. */
export interface JudgeOptions {
  /**
   * The run's checks on its base commit, under `verifiers.baseline: allow_preexisting`: a check
   * that failed there and fails again, no worse, is marked preexisting and does not fail the attempt.
   */
  baseline?: readonly BaselineEntry[];
  /** The attempt's worktree (absolute), written as `.` in outputs so they compare with the base's. */
  roots?: readonly string[];
  /** The repository's checks the plan or task left out (`verifiers.skip`/`only`): said when none ran. */
  leftOut?: readonly string[];
}

/**
 * The results Gaffer makes itself (the worktree setup included: installing dependencies verifies
 * nothing about the change); every other result is one of the repository's checks.
 */
const BUILT_IN_CHECKS = new Set(['deliverables', 'protected-paths', 'changes', 'setup', REVIEWER]);

/** Shown (and recorded) when an evaluation verified nothing: what the user can do about it. */
export const NO_CHECKS_NOTE =
  'no checks ran: no test, lint, typecheck or build command was found for this repository; ' +
  'name them in the plan (verifiers: { commands: { test: "npm test" } })';

/** The note when the repository has checks but the plan's or the task's `verifiers` left them all out. */
const leftOutNote = (names: readonly string[]) =>
  `no checks ran: the plan's or the task's verifiers leave out ${names.join(', ')}`;

/** Whether a note says that no check ran at all (none found, or all left out). */
const isNoChecksNote = (note: string | undefined) =>
  note === NO_CHECKS_NOTE || note?.startsWith('no checks ran: the plan') === true;

/**
 * The verdict on an attempt's checks; a protected-path violation fails it whatever else passed.
 * When none of the repository's checks counted (none ran, or each one only failed as it already
 * did on the base), a pass is `yellow`, never `green`, with a note saying so: nothing verified it.
 */
export function judge(
  results: readonly VerifierResult[],
  violations: readonly string[],
  options: JudgeOptions = {},
): EvaluationOutcome {
  const marked = options.baseline ? markPreexisting(results, options.baseline, options) : [...results];
  const outcome = scoreResults(violations.length ? [protectedPathResult(violations), ...marked] : marked);
  const checks = marked.filter((r) => !BUILT_IN_CHECKS.has(r.name));
  const preexisting = checks.filter((r) => r.preexisting).map((r) => r.name);
  const preexistingNote = preexisting.length
    ? `${preexisting.join(', ')} already failed on the base commit (preexisting, not counted)`
    : undefined;
  if (outcome.passed && checks.length === preexisting.length) {
    const note =
      checks.length > 0
        ? `no check verified this work: ${preexistingNote}`
        : options.leftOut?.length
          ? leftOutNote(options.leftOut)
          : NO_CHECKS_NOTE;
    return { ...outcome, confidence: 'yellow', note };
  }
  // A check let through as preexisting could still hide new breakage in the same check: a pass
  // with one is never better than yellow.
  if (preexistingNote && outcome.passed) return { ...outcome, confidence: 'yellow', note: preexistingNote };
  return preexistingNote ? { ...outcome, note: preexistingNote } : outcome;
}

/**
 * The checks' verdict (from {@link judge}) with the reviewer's folded in by the confidence
 * formula: the score and confidence are the formula's, `passed` is false exactly when it is red
 * (so the attempt goes to rework), and the reviewer's words join the results as `reviewer`, which
 * fails when the review alone would make the attempt red.
 */
export function withReview(
  checks: EvaluationOutcome,
  review: EvaluationReview,
  thresholds: Pick<ReviewerSettings, 'green_at' | 'yellow_at'>,
  durationMs = 0,
): EvaluationOutcome {
  const counted = checks.results.filter((r) => !r.preexisting);
  // No check ran at all: a reviewer that read the diff and judged it is the verification. A
  // preexisting failure let through still caps it: it could hide new breakage in that check.
  const reviewVerifies = isNoChecksNote(checks.note) && review.status === 'parsed';
  const unverified =
    checks.passed && checks.confidence === 'yellow' && !reviewVerifies ? checks.note : undefined;
  const formula = scoreEvaluation({
    checks: {
      counted: counted.length,
      passed: counted.filter((r) => r.passed).length,
      ...(unverified === undefined ? {} : { unverified }),
    },
    review,
    thresholds,
  });
  const alone = scoreEvaluation({ checks: { counted: 0, passed: 0 }, review, thresholds });
  const reviewPassed = alone.confidence !== 'red' && review.status === 'parsed';
  const note = [
    reviewVerifies ? undefined : checks.note,
    ...formula.reasons.filter((r) => r !== checks.note && r !== 'a check failed'),
  ]
    .filter(Boolean)
    .join('; ');
  return {
    passed: checks.passed && formula.confidence !== 'red',
    score: formula.score,
    confidence: formula.confidence,
    results: [...checks.results, reviewResult(review, reviewPassed, durationMs)],
    review,
    ...(note ? { note } : {}),
  };
}

/**
 * What a failed evaluation sends back: a short reason for status views, the full feedback for the
 * agent — the failed checks' output and the reviewer's not-met criteria and critiques, even when
 * only a check failed. A preexisting failure is the repository's state, not the agent's doing: never sent.
 */
export function evaluationSetback(results: readonly VerifierResult[]): { reason: string; feedback: string } {
  const failed = results.filter((r) => !r.passed && !r.preexisting);
  const notes = reviewerNotes(results);
  const extra = notes?.passed ? `\n\n### The reviewer's notes\n\n${notes.output}` : '';
  return {
    reason: `${failed.map((r) => r.name).join(', ')} failed`,
    feedback: (formatFailures(failed) + extra).trim(),
  };
}
