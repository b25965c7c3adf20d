import type { AttemptRecord } from '../../domain/index.js';
import { taskBlocked, taskRework } from '../../domain/index.js';
import type { NextStep } from './next-step.js';
import type { RunContext } from '../run-context.js';
import { keptPaths } from '../workspace/worktree-setup.js';

type TakeOut = Extract<NextStep, { type: 'take-out' }>;

/**
 * A merge whose health check failed leaves the integration branch: reset to the commit before it,
 * or undone by a revert commit when later merges sit on top. The task's branch then holds its
 * changes again on top of the new integration head, so the rework fixes them where they will
 * merge. Only then is it recorded (`merge.reverted` with the task's rework or block): every git
 * step before is safe to repeat, so a crash anywhere takes the merge out exactly once. Called in
 * the merge lane, right after the failed verdict (or on resume, when a crash came between). A merge
 * that later merges made impossible to undo cleanly blocks the task, the branch left as it is.
 * Returns the reason when the task ends blocked.
 */
export async function takeOutMerge(ctx: RunContext, step: TakeOut): Promise<{ blocked: string } | undefined> {
  const { repo, run, store } = ctx;
  const { attempt, merge } = step;
  const reason = step.then.type === 'rework' ? step.then.setback.reason : step.then.reason;
  const out = await repo.takeOutMerge(
    run.integrationBranch,
    merge,
    `gaffer: take out ${attempt.taskId}, which broke the checks\n\n${reason}`,
  );
  if (!out.ok) {
    const why = `its merge broke the integration branch (${reason}) and could not be taken out: later merges changed ${out.conflicts.join(', ')}; fix ${run.integrationBranch} by hand, then \`gaffer retry\``;
    await store.transaction((tx) => tx.apply(taskBlocked(run.id, attempt.taskId, why)));
    return { blocked: why };
  }
  if (step.then.type === 'rework') await restoreWork(ctx, attempt, merge, out.head);
  await store.transaction(async (tx) => {
    await tx.appendEvent({
      type: 'merge.reverted',
      runId: run.id,
      taskId: attempt.taskId,
      attemptId: attempt.id,
      data: { commit: merge, how: out.how, integrationHead: out.head, reason },
    });
    const task = await tx.getTask(run.id, attempt.taskId);
    await tx.apply(
      step.then.type === 'rework'
        ? taskRework(run.id, attempt.taskId, step.then.setback, (task?.attempts ?? attempt.number) + 1)
        : taskBlocked(run.id, attempt.taskId, step.then.reason),
    );
  });
  return step.then.type === 'block' ? { blocked: step.then.reason } : undefined;
}

/**
 * Puts the task's branch at one commit on top of the integration head with the changes its merge
 * made, in its worktree (made again if it went): the rework starts from its own work, on what is
 * merged now. When the changes no longer apply there, the branch stays where it was and a later
 * merge conflict sends the task on as any conflict does.
 */
async function restoreWork(
  ctx: RunContext,
  attempt: AttemptRecord,
  merge: string,
  head: string,
): Promise<void> {
  const { repo } = ctx;
  const again = await repo.reapplyMerge(
    merge,
    head,
    `gaffer: ${attempt.taskId} again, for its rework after the health check\n\nreapplies ${merge}`,
  );
  if (!again.ok) return;
  await repo.addWorktree(attempt.worktreePath, attempt.branch, attempt.headCommit ?? attempt.baseCommit, {
    keep: keptPaths(ctx),
  });
  await repo.resetHard(attempt.worktreePath, again.commit);
}
