import type { PlanTask, SessionInput } from '../../src/domain/index.js';
import { allowlistedEnv } from '../../src/process/run-process.js';

/** A SessionInput for adapter tests; `cwd` is required, the rest has test defaults. */
export function sessionInput(overrides: Partial<SessionInput> & { cwd: string }): SessionInput {
  const task: PlanTask = {
    id: 'contract',
    title: 'Contract task',
    description: 'A task used by the adapter tests.',
    depends_on: [],
    deliverables: [],
    acceptance_criteria: [],
    context_files: [],
  };
  return {
    runId: 'run-1',
    taskId: task.id,
    attemptId: 'attempt-1',
    attemptNumber: 1,
    kind: 'first',
    task,
    prompt: 'Do the task.',
    config: {},
    env: allowlistedEnv(process.env),
    protectedPaths: [],
    ...overrides,
  };
}
