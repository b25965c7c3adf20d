export { finalApprovalId, finalReviewGate } from './final-review.js';
export type { FinalGate } from './final-review.js';
