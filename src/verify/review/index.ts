export type { Confidence, FormulaInput, FormulaResult } from './confidence-formula.js';
export {
  CRITERION_WEIGHT,
  CRITIQUE_PENALTY,
  DEFAULT_THRESHOLDS,
  scoreEvaluation,
} from './confidence-formula.js';
export type { ParseReplyResult, ReviewReply } from './review-reply.js';
export { parseReviewReply } from './review-reply.js';
export { describeBlockIssues, findJsonBlock } from './json-block.js';
export type { ReviewMaterial, ReviewPrompt } from './review-prompt.js';
export { CHECKS_BUDGET_CHARS, DIFF_BUDGET_CHARS, retryPrompt, reviewPrompt } from './review-prompt.js';
export type { AskReviewer, ReviewerAnswer, RunReviewOptions } from './run-review.js';
export { collectAnswer, runReview } from './run-review.js';
export {
  NO_FINDINGS,
  REVIEWER,
  formatReview,
  hasFindings,
  reviewResult,
  reviewerNotes,
} from './review-result.js';
