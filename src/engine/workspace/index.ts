export type { CleanResult } from './clean.js';
export { cleanRuns } from './clean.js';
export { prepareWorkspace, repositoryRoot, checkPlanFile } from './workspace.js';
