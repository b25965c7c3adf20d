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
