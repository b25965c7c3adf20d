/** Gaffer's library API: everything the CLI does is available here. */
export * from './domain/index.js';
export {
  validatePlan,
  loadPlan,
  formatPlanIssue,
  effectiveDependencies,
  topologicalOrder,
  planToYaml,
} from './plan/index.js';
export type { ValidateOptions, PlanCheckResult } from './plan/index.js';
export { createEngine, readTranscript, redactSecrets } from './engine/index.js';
export type { Engine, EngineOptions, CreateRunOptions, DriveRunOptions } from './engine/index.js';
export { createMcpServer, type McpServerOptions } from './mcp/index.js';
export { openStore, resolveStoreUrl } from './store/index.js';
export type { Store } from './store/index.js';
export {
  createAgentRegistry,
  defaultAgentRegistry,
  createScriptAgent,
  createCommandAgent,
} from './agents/index.js';
export type { AgentRegistry } from './agents/index.js';
export { detectVerifiers, evaluateWorktree } from './verify/index.js';
export { createDemoRepo } from './demo/index.js';
export { createServerApp, startServer } from './server/index.js';
export type { ServerApp, ServerAppOptions, RunningServer, StartServerOptions } from './server/index.js';
