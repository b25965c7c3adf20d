import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GafferError } from '../domain/index.js';
import { isLockContention } from './exec-git.js';
import { GitError } from './git-error.js';
import { splitNul, type GitContext } from './git-context.js';
import { readLinkedWorktrees, type LinkedWorktree } from './linked-worktrees.js';
import { canonicalPath, isInside, symbolicHeadOf, worktreeEntryDir } from './paths.js';
import { assertValidBranchName } from './ref-format.js';
import { branchExists, requireCommit } from './refs.js';
import { checkWorktreePath } from './worktree-safety.js';
import { claimPooled, parkInPool, POOL_DIR, TRASH_DIR } from './worktree-pool.js';

/** One working tree of a repository. */
export interface WorktreeInfo {
  path: string;
  /** Short branch name, undefined when detached. */
  branch: string | undefined;
  head: string;
}

interface WorktreeEntry extends WorktreeInfo {
  bare: boolean;
  /** Its directory is gone: `git worktree prune` would drop it. */
  prunable: boolean;
  /** Lock reason ('' when locked without one), undefined when not locked. */
  locked: string | undefined;
}

/** Every non-bare working tree, the main one first. */
export async function listWorktrees(ctx: GitContext): Promise<WorktreeInfo[]> {
  const entries = await readWorktrees(ctx);
  return entries.filter((e) => !e.bare).map(({ path, branch, head }) => ({ path, branch, head }));
}

async function readWorktrees(ctx: GitContext): Promise<WorktreeEntry[]> {
  const { stdout } = await ctx.git(['worktree', 'list', '--porcelain', '-z']);
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | undefined;
  for (const field of splitNul(stdout)) {
    if (field === '') {
      current = undefined;
      continue;
    }
    const space = field.indexOf(' ');
    const key = space === -1 ? field : field.slice(0, space);
    const value = space === -1 ? '' : field.slice(space + 1);
    if (key === 'worktree') {
      current = { path: value, branch: undefined, head: '', bare: false, prunable: false, locked: undefined };
      entries.push(current);
    } else if (current && key === 'HEAD') current.head = value;
    else if (current && key === 'branch') current.branch = value.replace(/^refs\/heads\//, '');
    else if (current && key === 'bare') current.bare = true;
    else if (current && key === 'locked') current.locked = value;
    else if (current && key === 'prunable') current.prunable = true;
  }
  return entries;
}

async function findWorktree(ctx: GitContext, path: string): Promise<WorktreeEntry | undefined> {
  return findIn(await readWorktrees(ctx), path);
}

async function findIn<T extends { path: string }>(
  entries: readonly T[],
  path: string,
): Promise<T | undefined> {
  for (const entry of entries) {
    if ((await canonicalPath(entry.path)) === path) return entry;
  }
  return undefined;
}

/** Options of {@link addWorktree}. */
export interface AddWorktreeOptions {
  /**
   * Untracked or ignored paths a reused worktree keeps (`git clean --exclude` patterns, e.g.
   * `node_modules`): what the worktree setup installed, so the next task does not install it again.
   */
  keep?: readonly string[];
}

/** What registering a worktree left to do outside the lock. */
type Registered =
  /** On its branch with its files: a resume, nothing to do. */
  | 'ready'
  /** Added without a checkout: its files are written next. */
  | 'empty'
  /** Taken from the pool, detached at another task's commit: cleaned, then switched. */
  | 'pooled';

/**
 * Makes `path` a worktree on `branch` (creating the branch at `fromCommit` when it does not
 * exist), idempotently so a resumed run can call it again after a crash at any point. A free
 * worktree of the pool is reused when there is one — moved here, cleaned of everything untracked
 * and ignored, then switched to the branch, which rewrites only the files that differ — else one
 * is added. The repository lock covers only git's bookkeeping (the worktree list, the move, the
 * registration); writing the files happens outside it, so parallel tasks check out together.
 * Returns true when it wrote the worktree's files (added, taken from the pool, or repaired), false
 * when the worktree was already there on its branch.
 */
export async function addWorktree(
  ctx: GitContext,
  path: string,
  branch: string,
  fromCommit: string,
  options: AddWorktreeOptions = {},
): Promise<boolean> {
  assertValidBranchName(branch);
  const target = await canonicalPath(path);
  assertNotRepoItself(ctx, target);
  // The common case on resume and before an evaluation: already there, read from its files alone.
  if (await isReadyOn(ctx, target, branch)) return false;
  const registered = await ctx.withLock(async () => {
    // What a crash left here is deleted below: only once it is known to be Gaffer's.
    await checkWorktreePath(ctx, path);
    // Retried as a whole (not per command): a half-done add is repaired by re-reading the state.
    for (let attempt = 0; ; attempt++) {
      try {
        return await registerOnce(ctx, target, branch, fromCommit);
      } catch (error) {
        if (attempt >= 4 || !GitError.isInstance(error) || !isLockContention(error.stderr)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
  });
  // Only this worktree's files, index and HEAD change from here (and the task's own branch).
  if (registered === 'empty') {
    await ctx.git(['reset', '--hard', '--quiet'], { cwd: target });
  } else if (registered === 'pooled') {
    // Clean first: a crash after it leaves the worktree detached, and this runs again.
    const keep = (options.keep ?? []).flatMap((pattern) => ['--exclude', pattern]);
    await ctx.git(['clean', '-ffdx', '--quiet', ...keep], { cwd: target });
    if (await branchExists(ctx, branch)) {
      await ctx.git(['checkout', '--force', '--quiet', branch], { cwd: target });
    } else {
      const commit = await requireCommit(ctx, fromCommit, 'commit');
      await ctx.git(['checkout', '--force', '--quiet', '--no-track', '-b', branch, commit], { cwd: target });
    }
  }
  return registered !== 'ready';
}

async function registerOnce(
  ctx: GitContext,
  target: string,
  branch: string,
  fromCommit: string,
): Promise<Registered> {
  // The main worktree is never the target nor in the pool: the linked ones, from git's files, will do.
  const fromFiles = ctx.commonDir === undefined ? undefined : await readLinkedWorktrees(ctx.commonDir);
  let worktrees: readonly LinkedWorktree[] = fromFiles ?? (await readWorktrees(ctx));
  if (worktrees.some((w) => w.prunable)) {
    await ctx.git(['worktree', 'prune']);
    worktrees = await readWorktrees(ctx);
  }
  const existing = await findIn(worktrees, target);
  if (existing) {
    // Detached here: taken from the pool by an attempt that a crash stopped before it switched.
    if (existing.branch === undefined && existing.locked === undefined) return 'pooled';
    if (existing.branch !== branch) {
      throw new GafferError(
        'GAFFER_GIT',
        `${target} is already a worktree on ${existing.branch ? `branch ${existing.branch}` : 'a detached HEAD'}, not ${branch}`,
        {
          hint: `remove it with \`git worktree remove --force ${target}\``,
          details: { path: target, branch },
        },
      );
    }
    // git locks a worktree as "initializing" while it adds it; still locked means a crash mid-add.
    if (existing.locked !== 'initializing' && (await exists(join(target, '.git')))) {
      // Added without a checkout and stopped before its files were written: it has no index yet.
      return (await hasIndex(target)) ? 'ready' : 'empty';
    }
    await ctx.git(['worktree', 'remove', '--force', '--force', target], { allowFail: true });
    await ctx.git(['worktree', 'prune']);
  }
  if (await exists(target)) {
    // Left behind by a crash between creating the directory and registering it.
    await rm(target, { recursive: true, force: true });
    await ctx.git(['worktree', 'prune']);
  }
  if (await claimPooled(ctx, target, worktrees)) return 'pooled';
  await mkdir(dirname(target), { recursive: true });
  if (await branchExists(ctx, branch)) {
    await ctx.git(['worktree', 'add', '--quiet', '--no-checkout', target, branch], { retryOnLock: false });
  } else {
    const commit = await requireCommit(ctx, fromCommit, 'commit');
    await ctx.git(
      ['worktree', 'add', '--quiet', '--no-checkout', '--no-track', '-b', branch, target, commit],
      {
        retryOnLock: false,
      },
    );
  }
  return 'empty';
}

/**
 * Whether `target` is a worktree on `branch` with its files, judged from git's own files: the
 * safety checks' back-link (so it is this repository's entry for this directory), the entry's
 * HEAD naming the branch, an index, and no lock (a crash mid-add leaves one). Anything else
 * goes the long way, under the lock.
 */
async function isReadyOn(ctx: GitContext, target: string, branch: string): Promise<boolean> {
  if ((await checkWorktreePath(ctx, target).catch(() => undefined)) !== 'worktree') return false;
  const entry = await worktreeEntryDir(target);
  if (entry === undefined) return false;
  if ((await symbolicHeadOf(join(entry, 'HEAD'))) !== `refs/heads/${branch}`) return false;
  return (await hasIndex(target)) && !(await exists(join(entry, 'locked')));
}

/** Whether the worktree at `target` has an index (its `.git` file names the entry that holds it). */
async function hasIndex(target: string): Promise<boolean> {
  const entry = await worktreeEntryDir(target);
  return entry !== undefined && (await exists(join(entry, 'index')));
}

/**
 * Retires a passed task's worktree: into the pool for the next task when it holds fewer than
 * `poolSize` (the run's concurrency), else removed. Quiet when already gone.
 */
export async function retireWorktree(ctx: GitContext, path: string, poolSize: number): Promise<void> {
  const target = await canonicalPath(path);
  assertNotRepoItself(ctx, target);
  const trashed = await ctx.withLock(async () => {
    const state = await checkWorktreePath(ctx, path);
    // 'worktree': registered, and git's link back to this directory checked.
    if (state === 'worktree' && (await parkInPool(ctx, target, poolSize))) return undefined;
    if (state !== 'worktree') {
      await removeWorktree(ctx, path);
      return undefined;
    }
    return moveToTrash(ctx, target);
  });
  // Deleting a large checkout takes seconds: not under the lock, and not on the dispatch path.
  if (trashed !== undefined) void rm(trashed, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Takes a worktree out of git's list in the time of a rename: detached (its branch is free), its
 * directory renamed into `.gaffer/worktrees/.trash/`, its entry pruned. Returns where it went;
 * the caller deletes it, and `gaffer clean` empties the trash of anything a crash left there.
 */
async function moveToTrash(ctx: GitContext, target: string): Promise<string> {
  await ctx.git(['checkout', '--quiet', '--detach'], { cwd: target, allowFail: true });
  const trash = join(ctx.root, TRASH_DIR);
  await mkdir(trash, { recursive: true });
  const to = join(trash, `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`);
  await rename(target, to);
  await ctx.git(['worktree', 'prune']);
  return to;
}

/**
 * Removes every worktree waiting in the pool (`gaffer clean`), under the lock, so none is being
 * claimed meanwhile; a pooled worktree is never in use. Returns the paths removed.
 */
export async function drainWorktreePool(ctx: GitContext): Promise<string[]> {
  await rm(join(ctx.root, TRASH_DIR), { recursive: true, force: true });
  return ctx.withLock(async () => {
    const pool = await canonicalPath(join(ctx.root, POOL_DIR));
    const removed: string[] = [];
    for (const entry of await readWorktrees(ctx)) {
      const path = await canonicalPath(entry.path);
      if (dirname(path) !== pool) continue;
      await removeWorktree(ctx, path);
      removed.push(path);
    }
    return removed;
  });
}

/** Removes the worktree at `path` (even with local changes) and optionally its branch; quiet when already gone. */
export async function removeWorktree(
  ctx: GitContext,
  path: string,
  options: { deleteBranch?: string } = {},
): Promise<void> {
  const target = await canonicalPath(path);
  assertNotRepoItself(ctx, target);
  if (options.deleteBranch !== undefined) assertValidBranchName(options.deleteBranch);
  await ctx.withLock(async () => {
    await checkWorktreePath(ctx, path);
    const existing = await findWorktree(ctx, target);
    if (existing && (await exists(target))) {
      // Twice --force: also removes a worktree left locked by a crash mid-add.
      await ctx.git(['worktree', 'remove', '--force', '--force', target]);
    }
    await ctx.git(['worktree', 'prune']);
    if (options.deleteBranch !== undefined && (await branchExists(ctx, options.deleteBranch))) {
      await ctx.git(['branch', '-D', '--quiet', options.deleteBranch]);
    }
  });
}

/** We delete directories by these paths: never the main working tree or anything containing it. */
export function assertNotRepoItself(
  ctx: GitContext,
  target: string,
  hint = 'worktrees go under <repo>/.gaffer/worktrees/<run>/<task>',
): void {
  if (isInside(target, ctx.root)) {
    throw new GafferError(
      'GAFFER_INVALID_PATH',
      `${target} contains the repository itself; not a worktree path`,
      {
        hint,
        details: { path: target },
      },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
