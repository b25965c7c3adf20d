import type {
  CriterionVerdict,
  CritiqueSeverity,
  EvaluationReview,
  ReviewerSettings,
} from '../../domain/index.js';

export type Confidence = 'green' | 'yellow' | 'red';

/** What a criterion's verdict is worth: an unsure reviewer is half a pass, never a whole one. */
export const CRITERION_WEIGHT: Readonly<Record<CriterionVerdict, number>> = {
  met: 1,
  cannot_tell: 0.5,
  not_met: 0,
};

/** Taken off the score for each critique, by severity. */
export const CRITIQUE_PENALTY: Readonly<Record<CritiqueSeverity, number>> = {
  critical: 0.5,
  major: 0.15,
  minor: 0.03,
};

/** The plan's `reviewer.green_at` / `reviewer.yellow_at` when it names none. */
export const DEFAULT_THRESHOLDS: Readonly<Pick<ReviewerSettings, 'green_at' | 'yellow_at'>> = {
  green_at: 0.8,
  yellow_at: 0.5,
};

/** What the formula weighs. */
export interface FormulaInput {
  checks: {
    /** Results that count (not preexisting), built-in ones included, and how many passed. */
    counted: number;
    passed: number;
    /**
     * Why the checks alone cannot make it green (none of the repository's checks counted, a
     * preexisting failure was let through); undefined when they can.
     */
    unverified?: string;
  };
  /** Absent when the plan has no reviewer. */
  review?: Pick<EvaluationReview, 'status' | 'criteria' | 'critiques'>;
  thresholds: Pick<ReviewerSettings, 'green_at' | 'yellow_at'>;
}

export interface FormulaResult {
  /** In [0, 1]. */
  score: number;
  confidence: Confidence;
  /** Why the confidence is lower than the score alone would make it, in words; empty when it is not. */
  reasons: string[];
}

/**
 * The evaluation's score and confidence.
 *
 *   score = checks × criteria − penalties, clamped to [0, 1]
 *   checks    = passed ÷ counted results (1 when nothing counted)
 *   criteria  = mean over the task's acceptance criteria of met 1, cannot_tell 0.5, not_met 0
 *               (1 when the task has none, or there is no reviewer)
 *   penalties = Σ per critique: critical 0.5, major 0.15, minor 0.03 (0 without a reviewer)
 *
 * Confidence: green at or above `green_at` (default 0.8), yellow at or above `yellow_at`
 * (default 0.5), red below — except that
 *   - a failing check (a required verifier, deliverables, protected paths, …) is red, whatever
 *     the score or the reviewer says;
 *   - a criterion the reviewer judged not_met is red: the criteria are the task's definition of done;
 *   - a review whose reply could not be read is at most yellow (it is no pass);
 *   - checks that verified nothing (`checks.unverified`) are at most yellow, as without a
 *     reviewer. The caller (`withReview`) does not count a run without any repository check as
 *     unverified when the reviewer's reply was read: the review verified it then. A preexisting
 *     failure let through stays a cap.
 * Without a reviewer this is the checks' verdict: green when all pass, red when one fails.
 */
export function scoreEvaluation(input: FormulaInput): FormulaResult {
  const { checks, review, thresholds } = input;
  const checksFactor = checks.counted === 0 ? 1 : checks.passed / checks.counted;
  const criteria = review?.criteria ?? [];
  const criteriaFactor =
    criteria.length === 0
      ? 1
      : criteria.reduce((sum, c) => sum + CRITERION_WEIGHT[c.verdict], 0) / criteria.length;
  const penalty = (review?.critiques ?? []).reduce((sum, c) => sum + CRITIQUE_PENALTY[c.severity], 0);
  const score = clamp(checksFactor * criteriaFactor - penalty);

  const reasons: string[] = [];
  if (checks.passed < checks.counted) return { score, confidence: 'red', reasons: ['a check failed'] };
  const notMet = criteria.filter((c) => c.verdict === 'not_met').length;
  if (notMet > 0) return { score, confidence: 'red', reasons: [`${notMet} acceptance criteria not met`] };
  let confidence: Confidence = !review
    ? 'green'
    : score >= thresholds.green_at
      ? 'green'
      : score >= thresholds.yellow_at
        ? 'yellow'
        : 'red';
  if (review && confidence === 'red')
    reasons.push(`score ${score.toFixed(2)} is below yellow_at ${thresholds.yellow_at}`);
  if (review && confidence === 'yellow')
    reasons.push(`score ${score.toFixed(2)} is below green_at ${thresholds.green_at}`);
  if (confidence === 'green' && review?.status === 'unreadable') {
    confidence = 'yellow';
    reasons.push("the reviewer's reply could not be read");
  }
  if (confidence === 'green' && checks.unverified !== undefined) {
    confidence = 'yellow';
    reasons.push(checks.unverified);
  }
  return { score, confidence, reasons };
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));
