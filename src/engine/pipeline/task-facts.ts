import { autonomyOf, InvariantError } from '../../domain/index.js';
import { healthResults } from '../health/health-check.js';
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
      types: [
        'merge.conflicted',
        'merge.rebased',
        'evaluation.completed',
        'attempt.protected-path-reverted',
        'task.reopened',
        'approval.decided',
        'merge.health-checked',
        'merge.reverted',
      ],
    }),
  ]);
  if (!task) throw new InvariantError(`task ${taskId} of run ${run.id} is missing from the store`);
  // After `gaffer retry` the task's history starts again: earlier attempts are not looked at.
  const reopened = marks.findLast((e) => e.type === 'task.reopened');
  const floor = reopened?.type === 'task.reopened' ? reopened.data.fromAttempt : 0;
  const current = attempts.filter((a) => a.number > floor);
  const last = current.at(-1);
  const ofLast = marks.filter((e) => last !== undefined && e.attemptId === last.id);
  const conflict = ofLast.findLast((e) => e.type === 'merge.conflicted');
  // An evaluation judges one commit: once the branch is elsewhere (rebased — also by a rebase
  // whose record a crash lost —, or moved by anything else) its verdict no longer applies.
  const checked = ofLast.findLast((e) => e.type === 'evaluation.completed');
  const judged = checked?.type === 'evaluation.completed' ? checked.data.commit : undefined;
  const rebased = ofLast.findLast((e) => e.type === 'merge.rebased');
  const head = last ? await ctx.repo.resolveCommit(`refs/heads/${last.branch}`) : undefined;
  const stale =
    judged !== undefined
      ? head !== judged
      : rebased !== undefined && (checked === undefined || rebased.id > checked.id);
  const evaluation = stale ? undefined : last && evaluations.findLast((e) => e.attemptId === last.id);
  // A decision is about one evaluation: a result checked again (after a rebase) is decided again.
  const decided = marks.findLast(
    (e) => e.type === 'approval.decided' && evaluation !== undefined && e.data.approvalId === evaluation.id,
  );
  // A failed health check stands until its merge is recorded as taken out (after it, by id).
  const health = ofLast.findLast((e) => e.type === 'merge.health-checked');
  const broke =
    health?.type === 'merge.health-checked' &&
    !health.data.passed &&
    !ofLast.some((e) => e.type === 'merge.reverted' && e.id > health.id)
      ? { merge: health.data.merge, checks: healthResults(health.data.checks) }
      : undefined;
  return {
    task,
    attempts: current,
    brokeIntegration: broke,
    evaluation,
    decision:
      decided?.type === 'approval.decided'
        ? { decision: decided.data.decision, reason: decided.data.reason }
        : undefined,
    autonomy: autonomyOf(run.plan.settings),
    conflict: conflict?.type === 'merge.conflicted' ? conflict.data.files : undefined,
    reverted: ofLast.flatMap((e) => (e.type === 'attempt.protected-path-reverted' ? e.data.paths : [])),
    maxRework: run.plan.settings.max_rework,
    retry: run.plan.settings.retry,
  };
}
