export type { TaskOutcome } from './run-task.js';
export { runTaskPipeline } from './run-task.js';
export type { TaskFacts, NextStep, Setback } from './next-step.js';
export { nextStep } from './next-step.js';
