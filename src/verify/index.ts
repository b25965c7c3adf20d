export type { VerifierCommand } from './verifier-command.js';
export { CANONICAL_ORDER, formatArgv, sortVerifiers } from './verifier-command.js';
export { detectVerifiers } from './detect-verifiers.js';
export { resolveVerifiers } from './resolve-verifiers.js';
export { splitCommand } from './split-command.js';
export type { RunVerifierOptions } from './run-verifier.js';
export { runVerifier } from './run-verifier.js';
export { checkDeliverables } from './deliverables.js';
export { matchProtectedPaths } from './protected-paths.js';
export type { EvaluationOutcome, EvaluateWorktreeOptions } from './evaluate-worktree.js';
export { evaluateWorktree, scoreResults } from './evaluate-worktree.js';
export type { UsefulTailOptions } from './useful-tail.js';
export { usefulTail } from './useful-tail.js';
export { formatFailures } from './format-failures.js';
export type { CheckPlan } from './evaluation-policy.js';
export {
  DEFAULT_VERIFIER_TIMEOUT_S,
  checksFor,
  protectedPathResult,
  judge,
  evaluationSetback,
} from './evaluation-policy.js';
export type { JudgeOptions } from './evaluation-policy.js';
export { withReview } from './evaluation-policy.js';
export type { AskReviewer, Confidence, FormulaInput, FormulaResult, ReviewerAnswer } from './review/index.js';
export {
  CRITERION_WEIGHT,
  CRITIQUE_PENALTY,
  DEFAULT_THRESHOLDS,
  REVIEWER,
  collectAnswer,
  describeBlockIssues,
  findJsonBlock,
  formatReview,
  hasFindings,
  parseReviewReply,
  reviewPrompt,
  runReview,
  scoreEvaluation,
} from './review/index.js';
export { NO_CHECKS_NOTE } from './evaluation-policy.js';
export type { BaselineCheck } from './baseline-checks.js';
export { baselineChecks } from './baseline-checks.js';
export type { BaselineEntry, CompareOptions } from './baseline-compare.js';
export { checkKey, markPreexisting, WORSE_THAN_BASE } from './baseline-compare.js';
export type { FailureMarkerOptions, RecordedFailures } from './failure-markers.js';
export { failureCounts, failureMarkers, isCutOutput, recordedFailures } from './failure-markers.js';
export type { BaselineVerdict, SetupFacts } from './baseline-classify.js';
export { classifyBaselineResult } from './baseline-classify.js';
export { inspectSetup } from './baseline-setup.js';
export { noChangesResult } from './no-changes.js';
export type { ChangedFile, LimitsVerdict } from './diff-limits.js';
export {
  BYTES_PER_MB,
  formatBytes,
  judgeDiffLimits,
  limitsMessage,
  limitsOf,
  measureChangedFiles,
} from './diff-limits.js';
export type {
  DefinitionChange,
  DefinitionFile,
  DefinitionPart,
  DefinitionTree,
} from './check-definitions.js';
export { definitionsResult, findDefinitionChanges, worktreeTree } from './check-definitions.js';
