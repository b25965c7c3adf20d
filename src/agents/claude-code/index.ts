export { createClaudeCodeAgent } from './claude-code-agent.js';
export { claudeCodeStatus, claudeCredentialSource, resolveClaudeBinary } from './claude-binary.js';
export type { ClaudeCodeStatus } from './claude-binary.js';
export { parseClaudeCodeConfig } from './claude-code-config.js';
export type { ClaudeCodeConfig, ClaudePermissionMode } from './claude-code-config.js';
export { ASK_TOOL_NAME } from './ask-question-server.js';
export { toolDecision } from './permission-gate.js';
