export { createCodexAgent, CODEX_ENV_KEYS } from './codex-agent.js';
export { CODEX_CONTAINED, codexStatus, findCodexCredentials, probeCodexSandbox } from './codex-status.js';
export type { CodexStatus, SandboxProbe } from './codex-status.js';
export { resolveCodexBinary } from './codex-binary.js';
export type { CodexBinary } from './codex-binary.js';
export type { CodexConfig, CodexProvider } from './codex-config.js';
