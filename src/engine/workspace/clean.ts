import { existsSync } from 'node:fs';
import type { RunRecord } from '../../domain/index.js';
import { isTerminalRun, userError } from '../../domain/index.js';
import type { Repo } from '../../git/index.js';
import { openRepo, taskBranchName } from '../../git/index.js';
import type { Store } from '../../store/index.js';
import { isDriven } from '../control/index.js';
import { worktreePath } from '../run-context.js';

/** What `clean` removed. */
export interface CleanResult {
  removedWorktrees: string[];
  /** Task branches (`gaffer-tasks/<run>/<task>`) deleted; integration branches are never touched. */
  removedBranches: string[];
}

export interface CleanOptions {
  /** Keep the task branches, removing only worktrees. */
  keepBranches?: boolean;
}

/**
 * Removes what ended runs kept: the worktrees left for inspection (blocked tasks, a passed
 * task's worktree that would not go away), the worktrees waiting in the repository's pool, and,
 * unless `keepBranches`, the runs' task branches —
 * a passed task's branch is merged into the integration branch, so deleting it loses nothing;
 * a blocked one's attempts go with it, which is what cleaning up means. With a run id, a paused
 * run may be cleaned too; a run an engine drives never is.
 */
export async function cleanRuns(
  store: Store,
  runs: readonly RunRecord[],
  explicit: boolean,
  options: CleanOptions = {},
): Promise<CleanResult> {
  const result: CleanResult = { removedWorktrees: [], removedBranches: [] };
  const drained = new Set<string>();
  for (const run of runs) {
    const driven = await isDriven(store, run.id);
    if (driven || !(isTerminalRun(run.status) || (explicit && run.status === 'paused'))) {
      if (explicit)
        throw userError(
          'GAFFER_BAD_INPUT',
          `run ${run.id} is ${run.status}${driven ? ' and being driven' : ''}`,
          'cancel it first, or let it finish',
        );
      continue;
    }
    const repo = await openRepo(run.repoPath);
    // The worktrees passed tasks left for reuse: none is in use, whatever else runs.
    if (!drained.has(repo.root)) {
      drained.add(repo.root);
      result.removedWorktrees.push(...(await repo.drainWorktreePool()));
    }
    for (const task of run.plan.tasks) {
      const path = worktreePath(repo.root, run.slug, task.id);
      if (!existsSync(path)) continue;
      await repo.removeWorktree(path);
      result.removedWorktrees.push(path);
    }
    // A paused run resumes from its task branches: only an ended run's go.
    if (!options.keepBranches && isTerminalRun(run.status))
      result.removedBranches.push(...(await removeTaskBranches(repo, run)));
  }
  return result;
}

/** Every branch under the run's task prefix, also of tasks a plan no longer lists. */
async function removeTaskBranches(repo: Repo, run: RunRecord): Promise<string[]> {
  // The prefix comes from the same function that named the branches, so the two cannot drift.
  const prefix = taskBranchName(run.slug, 'x').slice(0, -1);
  const listed = await repo.git(['for-each-ref', '--format=%(refname:short)', `refs/heads/${prefix}`]);
  const branches = listed.stdout.split('\n').filter((name) => name.startsWith(prefix));
  for (const branch of branches) {
    // Removing the worktree first: git refuses to delete a branch checked out somewhere.
    const taskId = branch.slice(prefix.length);
    await repo.removeWorktree(worktreePath(repo.root, run.slug, taskId), { deleteBranch: branch });
  }
  return branches;
}
