import { existsSync } from 'node:fs';
import type { RunRecord } from '../../domain/index.js';
import { isTerminalRun, userError } from '../../domain/index.js';
import { openRepo } from '../../git/index.js';
import type { Store } from '../../store/index.js';
import { isDriven } from '../control/index.js';
import { worktreePath } from '../run-context.js';

/** What `clean` removed. */
export interface CleanResult {
  removedWorktrees: string[];
}

/**
 * Removes the worktrees that ended runs kept for inspection (blocked tasks, a passed task's
 * worktree that would not go away). With a run id, a paused run may be cleaned too; a run an
 * engine drives never is.
 */
export async function cleanRuns(
  store: Store,
  runs: readonly RunRecord[],
  explicit: boolean,
): Promise<CleanResult> {
  const removedWorktrees: string[] = [];
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
    for (const task of run.plan.tasks) {
      const path = worktreePath(repo.root, run.slug, task.id);
      if (!existsSync(path)) continue;
      await repo.removeWorktree(path);
      removedWorktrees.push(path);
    }
  }
  return { removedWorktrees };
}
