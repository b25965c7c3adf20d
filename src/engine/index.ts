export type { Engine, EngineOptions, CreateRunOptions, DriveRunOptions, OpenQuestion } from './engine.js';
export { createEngine } from './engine.js';
export { gafferDir, worktreePath, runDir, transcriptPath } from './run-context.js';
export type { TranscriptLine } from './transcript.js';
export { readTranscript } from './transcript.js';
export { redactSecrets } from './redact.js';
export { buildPrompt } from './prompt.js';
export { UNANSWERED } from './question-router.js';
