import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { GitContext } from './git-context.js';
import { canonicalPath } from './paths.js';
import { assertNotRepoItself } from './worktrees.js';
import { requireCommit } from './refs.js';
import { checkWorktreePath } from './worktree-safety.js';

/**
 * Adds a worktree at `path` with `commit` checked out on a detached HEAD: no branch is created,
 * so nothing is left to clean up but the directory. Whatever a crash left at `path` (a directory,
 * a registered worktree) is removed first, so a retry after a crash starts clean. Under the lock.
 * Takes any `GitContext`, so a `Repo` is passed as it is; `repo.removeWorktree` removes it.
 */
export async function addDetachedWorktree(ctx: GitContext, path: string, commit: string): Promise<void> {
  const target = await canonicalPath(path);
  assertNotRepoItself(ctx, target, 'temporary worktrees go under <repo>/.gaffer/');
  await ctx.withLock(async () => {
    const id = await requireCommit(ctx, commit, 'commit');
    await checkWorktreePath(ctx, path);
    await ctx.git(['worktree', 'remove', '--force', '--force', target], { allowFail: true });
    await rm(target, { recursive: true, force: true });
    await ctx.git(['worktree', 'prune']);
    await mkdir(dirname(target), { recursive: true });
    await ctx.git(['worktree', 'add', '--quiet', '--detach', target, id], { retryOnLock: false });
  });
}
