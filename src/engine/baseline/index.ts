export type { BaselineDeps } from './baseline.js';
export { runBaseline } from './baseline.js';
export { baselineDue, readRunBaseline } from './run-baseline.js';
export type { BaselineCheckResult, BaselineCompletedEvent, BaselinePolicy } from './baseline-types.js';
