export type { CleanResult, CleanOptions } from './clean.js';
export { cleanRuns } from './clean.js';
export type { CheckPlanOptions } from './workspace.js';
export { prepareWorkspace, repositoryRoot, checkPlanFile } from './workspace.js';
export type { CheckInfo, SkippedCheck, TaskChecks, ChecksReport } from './checks.js';
export { detectChecks, checksReport } from './checks.js';
