import type { VerifierResult } from '../domain/index.js';

/**
 * The check an attempt fails when its task branch changes nothing: an agent that "succeeded"
 * without touching a file has not done the task, unless the task says it may (`allow_empty`).
 */
export function noChangesResult(): VerifierResult {
  return {
    name: 'changes',
    command: 'diff of the task branch against the integration branch',
    passed: false,
    exitCode: null,
    durationMs: 0,
    timedOut: false,
    output:
      'The attempt changed no file. Make the changes the task asks for (a task that only checks can set allow_empty: true in the plan).',
  };
}
