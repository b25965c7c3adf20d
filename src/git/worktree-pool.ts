import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { GitContext } from './git-context.js';
import { canonicalPath } from './paths.js';
import { checkWorktreePath } from './worktree-safety.js';

/**
 * Where worktrees of passed tasks wait to be reused, detached, one directory per slot. Below
 * `.gaffer/worktrees/`, so every safety check of a task's worktree holds for them too, and
 * a name no task or run can have (task ids and run slugs do not start with a dot).
 */
export const POOL_DIR = join('.gaffer', 'worktrees', '.pool');

/** Where a retired worktree the pool has no room for is deleted from, off git's list already. */
export const TRASH_DIR = join('.gaffer', 'worktrees', '.trash');

/** A worktree as `git worktree list --porcelain` shows it, as far as the pool needs. */
export interface PoolCandidate {
  path: string;
  /** Undefined when detached. */
  branch: string | undefined;
  locked: string | undefined;
}

/**
 * Takes a free worktree out of the pool and moves it to `target` (`git worktree move`: a rename
 * and git's own bookkeeping, no checkout). Run under the repository lock: two attempts never take
 * the same one. Returns false when the pool has none (the caller adds a worktree). A pooled
 * worktree that fails the safety checks or cannot be moved is left out (it stays for `gaffer clean`).
 */
export async function claimPooled(
  ctx: GitContext,
  target: string,
  worktrees: readonly PoolCandidate[],
): Promise<boolean> {
  const pool = await canonicalPath(join(ctx.root, POOL_DIR));
  for (const entry of worktrees) {
    if (entry.branch !== undefined || entry.locked !== undefined) continue;
    const path = await canonicalPath(entry.path);
    // A slot of the pool itself, not something deeper or elsewhere.
    if (dirname(path) !== pool) continue;
    const state = await checkWorktreePath(ctx, path).catch(() => undefined);
    if (state !== 'worktree') continue;
    await mkdir(dirname(target), { recursive: true });
    const moved = await ctx.git(['worktree', 'move', path, target], { allowFail: true, retryOnLock: false });
    if (moved.code === 0) return true;
  }
  return false;
}

/**
 * Puts a passed task's worktree into the pool: detached (so its branch is free) and moved to a
 * free slot. Under the repository lock. Returns false, having moved nothing, when the pool
 * already holds `size` worktrees or git cannot move this one (a submodule): the caller removes it.
 */
export async function parkInPool(ctx: GitContext, path: string, size: number): Promise<boolean> {
  const pool = join(ctx.root, POOL_DIR);
  const taken = new Set(await readdir(pool).catch(() => []));
  if (taken.size >= size) return false;
  const detached = await ctx.git(['checkout', '--quiet', '--detach'], { cwd: path, allowFail: true });
  if (detached.code !== 0) return false;
  let slot = 1;
  while (taken.has(String(slot))) slot++;
  await mkdir(pool, { recursive: true });
  const moved = await ctx.git(['worktree', 'move', path, join(pool, String(slot))], {
    allowFail: true,
    retryOnLock: false,
  });
  return moved.code === 0;
}
