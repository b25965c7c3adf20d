import type { EvaluationReview, VerifierResult } from '../../domain/index.js';

/** The name of the reviewer's result among an evaluation's results. */
export const REVIEWER = 'reviewer';

/** The reviewer's verdict as a check result: what status views list and what a rework is told. */
export function reviewResult(review: EvaluationReview, passed: boolean, durationMs: number): VerifierResult {
  return {
    name: REVIEWER,
    command: `LLM review (${review.agent}${review.model ? `, ${review.model}` : ''})`,
    passed,
    exitCode: null,
    durationMs,
    timedOut: false,
    output: formatReview(review),
  };
}

const VERDICT_WORDS = { met: 'met', not_met: 'NOT MET', cannot_tell: 'cannot tell' } as const;

/**
 * The review in words: what was not met (with its evidence), every critique, then what was met.
 * A rework prompt carries it whole, so it leads with what the author must fix.
 */
export function formatReview(review: EvaluationReview): string {
  const lines: string[] = [];
  if (review.status === 'unreadable')
    lines.push(
      `The reviewer's reply could not be read (${review.error ?? 'no reason given'}); every criterion counts as cannot tell.`,
    );
  const order = { not_met: 0, cannot_tell: 1, met: 2 } as const;
  const criteria = [...review.criteria].sort((a, b) => order[a.verdict] - order[b.verdict]);
  for (const c of criteria)
    lines.push(`${VERDICT_WORDS[c.verdict]}: ${c.criterion}${c.evidence ? ` — ${c.evidence}` : ''}`);
  for (const critique of review.critiques) lines.push(`critique (${critique.severity}): ${critique.text}`);
  if (review.summary) lines.push(`summary: ${review.summary}`);
  if (review.diffCut) lines.push('(the reviewer saw a cut diff: it was too long to show whole)');
  return lines.join('\n') || NO_FINDINGS;
}

/** A review's words when it has nothing for the author. */
export const NO_FINDINGS = 'The reviewer found nothing to remark.';

/** The reviewer's result of an evaluation when it has something for the author, passed or not. */
export const reviewerNotes = (results: readonly VerifierResult[]): VerifierResult | undefined =>
  results.find((r) => r.name === REVIEWER && r.output !== NO_FINDINGS);

/** Whether a review has something for the author to fix or look at. */
export const hasFindings = (review: Pick<EvaluationReview, 'criteria' | 'critiques'>): boolean =>
  review.critiques.length > 0 || review.criteria.some((c) => c.verdict !== 'met');
