export type { OpenSandbox, SandboxRequest } from './open-sandbox.js';
export { assertSandboxAvailable, openSandbox } from './open-sandbox.js';
export { agentSandboxRequest, checkSandboxRequest } from './requests.js';
export { sandboxOff, widenings } from './sandbox-settings.js';
export { agentStateDir, prepareAgentState } from './agent-state.js';
export { redactStateRecords } from './redact-state.js';
