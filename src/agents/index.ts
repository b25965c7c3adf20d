// What code outside src/agents uses; the backends' shared helpers stay private to this folder.
export type { AgentRegistry } from './registry.js';
export { createAgentRegistry, defaultAgentRegistry } from './registry.js';
export type { EventChannel } from './event-channel.js';
export { createEventChannel } from './event-channel.js';
export { createScriptAgent } from './script/script-agent.js';
export { createCommandAgent } from './command/command-agent.js';
export { createClaudeCodeAgent, claudeCodeStatus } from './claude-code/index.js';
export type { ClaudeCodeStatus } from './claude-code/index.js';
export { CODEX_CONTAINED, createCodexAgent, codexStatus } from './codex/index.js';
export type { CodexStatus } from './codex/index.js';
export { createApiAgent } from './api/index.js';
