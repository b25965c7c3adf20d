export { createApiAgent } from './api-agent.js';
export { parseApiConfig, DEFAULT_KEY_ENV } from './api-config.js';
export type { ApiConfig, ApiProvider } from './api-config.js';
export { buildStablePrefix, buildTaskMessage, rankContextFiles } from './pack-context.js';
export type { ContextFile, PackedTaskMessage, RepoSnapshot, StablePrefix } from './pack-context.js';
