import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GafferError } from '../domain/index.js';
import { isLockContention } from './exec-git.js';
import { GitError } from './git-error.js';
import { splitNul, type GitContext } from './git-context.js';
import { canonicalPath, isInside } from './paths.js';
import { assertValidBranchName } from './ref-format.js';
import { branchExists, requireCommit } from './refs.js';
import { checkWorktreePath } from './worktree-safety.js';

/** One working tree of a repository. */
export interface WorktreeInfo {
  path: string;
  /** Short branch name, undefined when detached. */
  branch: string | undefined;
  head: string;
}

interface WorktreeEntry extends WorktreeInfo {
  bare: boolean;
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
      current = { path: value, branch: undefined, head: '', bare: false, locked: undefined };
      entries.push(current);
    } else if (current && key === 'HEAD') current.head = value;
    else if (current && key === 'branch') current.branch = value.replace(/^refs\/heads\//, '');
    else if (current && key === 'bare') current.bare = true;
    else if (current && key === 'locked') current.locked = value;
  }
  return entries;
}

async function findWorktree(ctx: GitContext, path: string): Promise<WorktreeEntry | undefined> {
  for (const entry of await readWorktrees(ctx)) {
    if ((await canonicalPath(entry.path)) === path) return entry;
  }
  return undefined;
}

/**
 * Adds a worktree for `branch` at `path` (creating the branch at `fromCommit` when it does not
 * exist), idempotently so a resumed run can call it again after a crash at any point.
 */
export async function addWorktree(
  ctx: GitContext,
  path: string,
  branch: string,
  fromCommit: string,
): Promise<void> {
  assertValidBranchName(branch);
  const target = await canonicalPath(path);
  assertNotRepoItself(ctx, target);
  await ctx.withLock(async () => {
    // What a crash left here is deleted below: only once it is known to be Gaffer's.
    await checkWorktreePath(ctx, path);
    // Retried as a whole (not per command): a half-done add is repaired by re-reading the state.
    for (let attempt = 0; ; attempt++) {
      try {
        return await addOnce(ctx, target, branch, fromCommit);
      } catch (error) {
        if (attempt >= 4 || !GitError.isInstance(error) || !isLockContention(error.stderr)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
  });
}

async function addOnce(ctx: GitContext, target: string, branch: string, fromCommit: string): Promise<void> {
  await ctx.git(['worktree', 'prune']);
  const existing = await findWorktree(ctx, target);
  if (existing) {
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
    // git locks a worktree as "initializing" while it checks it out; still locked means a crash mid-add.
    if (existing.locked !== 'initializing' && (await exists(join(target, '.git')))) return;
    await ctx.git(['worktree', 'remove', '--force', '--force', target], { allowFail: true });
    await ctx.git(['worktree', 'prune']);
  }
  if (await exists(target)) {
    // Left behind by a crash between creating the directory and registering it.
    await rm(target, { recursive: true, force: true });
    await ctx.git(['worktree', 'prune']);
  }
  await mkdir(dirname(target), { recursive: true });
  if (await branchExists(ctx, branch)) {
    await ctx.git(['worktree', 'add', '--quiet', target, branch], { retryOnLock: false });
  } else {
    const commit = await requireCommit(ctx, fromCommit, 'commit');
    await ctx.git(['worktree', 'add', '--quiet', '--no-track', '-b', branch, target, commit], {
      retryOnLock: false,
    });
  }
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
