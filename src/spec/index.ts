export type { Approval, Approvals } from './approvals.js';
export { lastFencedBlock, markdownOf, markdownProblems } from './answer-blocks.js';
export type { SpecConfig } from './config.js';
export { checkPlanSettings, parseSpecConfig, STARTER_CONFIG } from './config.js';
export { coverageGaps } from './coverage.js';
export type { Gates, PhaseStanding } from './gates.js';
export { blockedBy, DEFAULT_GATES, unapprovedGate } from './gates.js';
export { CONTEXT_INPUTS, sha256, sha256OfValue } from './hash.js';
export type { AcquireOptions, HeldLock, LockInfo, LockVerdict, LockWorld } from './lock.js';
export { acquireSpecLock, LOCK_MAX_AGE_MS, lockVerdict, processAlive, readLock } from './lock.js';
export type { SpecPaths } from './paths.js';
export { specDir, specPaths, specsDir } from './paths.js';
export type { SpecPhase } from './phases.js';
export {
  FEATURE_FILE,
  isPhase,
  parsePhase,
  PHASE_ARTIFACT,
  PHASES,
  phaseInputs,
  phasesBefore,
  phasesFrom,
} from './phases.js';
export type { PlanReply } from './plan-reply.js';
export { readPlanReply } from './plan-reply.js';
export type { Receipt, ReceiptStatus } from './receipt.js';
export { parseReceipt, RECEIPT_FORMAT, RECEIPT_STATUSES, receiptSchema, RUNNING_STATUS } from './receipt.js';
export type { RepoMapInput } from './repo-map.js';
export { exportedSymbols, renderRepoMap } from './repo-map.js';
export type {
  AcceptanceCriterion,
  RequirementsIssue,
  RequirementsResult,
  UserStory,
} from './requirements.js';
export {
  criterionIds,
  formatRequirementsIssue,
  parseRequirements,
  REQUIREMENTS_FORMAT,
} from './requirements.js';
export type { SpecHandle } from './spec-files.js';
export {
  createSpec,
  listReceipts,
  listSpecIds,
  nextReceiptNumber,
  openSpec,
  readApprovals,
  readSpecConfig,
  readText,
  realDir,
  writeApprovals,
  writeReceipt,
  historyName,
  replaceReceipt,
  writeSpecFile,
} from './spec-files.js';
export { checkSpecId, SPEC_ID_PATTERN } from './spec-id.js';
export type { ChangedInput, PhaseFacts, PhaseState, PhaseVerdict } from './staleness.js';
export { COMPARED_CONTEXT, describeChange, phaseVerdict } from './staleness.js';
export type { PhaseStatus, SpecLockState, SpecStatus } from './status.js';
export {
  currentHashes,
  firstToRun,
  isQuick,
  lockState,
  nextStepHint,
  skipsDesign,
  specStatus,
  standingOf,
} from './status.js';
export type { PromptInputs, PromptTemplate } from './templates/index.js';
export { CURRENT_TEMPLATES, MODEL_TASK_KEYS, QUICK_TEMPLATE } from './templates/index.js';
export type { SpecTrace, TracedCriterion, TracedStory, TracedTask, TraceRunFacts } from './trace.js';
export { traceSpec } from './trace.js';
