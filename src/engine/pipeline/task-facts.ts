import { InvariantError } from '../../domain/index.js';
import type { RunContext } from '../run-context.js';
import type { TaskFacts } from './next-step.js';

/** Reads what {@link nextStep} decides from: the task, its attempts, the newest one's evaluation, conflict and reverts. */
export async function readTaskFacts(ctx: RunContext, taskId: string): Promise<TaskFacts> {
  const { store, run } = ctx;
  const [task, attempts, evaluations, marks] = await Promise.all([
    store.getTask(run.id, taskId),
    store.listAttempts(run.id, taskId),
    store.listEvaluations(run.id, taskId),
    store.readEvents({
      runId: run.id,
      taskId,
      types: ['merge.conflicted', 'attempt.protected-path-reverted'],
    }),
  ]);
  if (!task) throw new InvariantError(`task ${taskId} of run ${run.id} is missing from the store`);
  const last = attempts.at(-1);
  const ofLast = marks.filter((e) => last !== undefined && e.attemptId === last.id);
  const conflict = ofLast.findLast((e) => e.type === 'merge.conflicted');
  return {
    task,
    attempts,
    evaluation: last && evaluations.findLast((e) => e.attemptId === last.id),
    conflict: conflict?.type === 'merge.conflicted' ? conflict.data.files : undefined,
    reverted: ofLast.flatMap((e) => (e.type === 'attempt.protected-path-reverted' ? e.data.paths : [])),
    maxRework: run.plan.settings.max_rework,
    retry: run.plan.settings.retry,
  };
}
