import { lstat, readdir, rm, rmdir } from 'node:fs/promises';
import { GafferError } from '../domain/index.js';
import { dirname, join } from 'node:path';
import { splitNul, type GitContext } from './git-context.js';
import { identityArgs } from './identity.js';
import { assertRepoRelative } from './paths.js';
import { GitError } from './git-error.js';
import { mergeBase, rememberCommit, requireCommit, worktreeHead } from './refs.js';
import { checkWorktreePath, WORKTREE_TAMPERED } from './worktree-safety.js';

/** Paths per git call, well below any argv length limit. */
const CHUNK = 200;

/** Tracked files with staged or unstaged changes in the main working tree (untracked files do not count). */
export async function dirtyFiles(ctx: GitContext): Promise<string[]> {
  const { stdout } = await ctx.git(['status', '--porcelain=v1', '-z', '--untracked-files=no']);
  const fields = splitNul(stdout);
  const files = new Set<string>();
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] ?? '';
    files.add(entry.slice(3));
    // A rename or copy is followed by its source path as a field of its own.
    if (/^[RC]|^.[RC]/.test(entry)) {
      i++;
      const source = fields[i];
      if (source !== undefined) files.add(source);
    }
  }
  return [...files].sort();
}

/**
 * Repo-relative paths whose content in `worktree` differs from `sinceCommit`: committed since,
 * staged, unstaged, and untracked files that are not ignored. Renames count as two paths.
 */
export async function changedPaths(
  ctx: GitContext,
  worktree: string,
  sinceCommit: string,
): Promise<string[]> {
  const since = await requireCommit(ctx, sinceCommit, 'commit');
  // The usual case, nothing committed in the worktree since: one status says it all.
  if ((await worktreeHead(ctx, worktree)) === since) {
    const { stdout } = await ctx.git(
      ['status', '--porcelain=v1', '-z', '--no-renames', '--untracked-files=all', '--ignore-submodules=none'],
      { cwd: worktree },
    );
    return [...new Set(splitNul(stdout).map((entry) => entry.slice(3)))].sort();
  }
  const [diff, untracked] = await Promise.all([
    ctx.git(['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', since, '--'], { cwd: worktree }),
    ctx.git(['ls-files', '--others', '--exclude-standard', '-z', '--full-name'], { cwd: worktree }),
  ]);
  return [...new Set([...splitNul(diff.stdout), ...splitNul(untracked.stdout)])].sort();
}

/**
 * Puts `paths` back as they were at `commit` in the worktree and its index: files that existed
 * then get that content back, the others are deleted. Used to revert changes an agent was not
 * allowed to make.
 */
export async function restorePaths(
  ctx: GitContext,
  worktree: string,
  paths: string[],
  commit: string,
): Promise<void> {
  const wanted = [...new Set(paths.map(assertRepoRelative))];
  if (wanted.length === 0) return;
  const source = await requireCommit(ctx, commit, 'commit');
  const existed = new Set<string>();
  for (const chunk of chunks(wanted)) {
    const { stdout } = await ctx.git(
      ['ls-tree', '-r', '-z', '--name-only', '--full-tree', source, '--', ...chunk],
      {
        cwd: worktree,
      },
    );
    for (const name of splitNul(stdout)) existed.add(name);
  }
  const existedThen = (p: string) => existed.has(p) || [...existed].some((name) => name.startsWith(`${p}/`));
  // Delete first: a path that is a file now may be a directory in `commit` (or the reverse).
  const added = wanted.filter((p) => !existedThen(p));
  for (const chunk of chunks(added)) {
    await ctx.git(
      ['--literal-pathspecs', 'rm', '-r', '--cached', '--quiet', '--ignore-unmatch', '--', ...chunk],
      {
        cwd: worktree,
      },
    );
    for (const path of chunk) {
      // A directory on the way that is a symlink would make rm delete outside the worktree.
      if (await symlinkedParent(worktree, path)) continue;
      await rm(join(worktree, path), { recursive: true, force: true });
      await removeEmptyParents(worktree, path);
    }
  }
  const restored = wanted.filter(existedThen);
  for (const chunk of chunks(restored)) {
    await ctx.git(
      ['--literal-pathspecs', 'restore', `--source=${source}`, '--staged', '--worktree', '--', ...chunk],
      {
        cwd: worktree,
      },
    );
  }
}

/**
 * Stages everything in the worktree (additions, modifications, deletions, untracked files) and
 * commits it; returns the new HEAD, or undefined when there was nothing to commit. Hooks and
 * signing are skipped: Gaffer's commits are intermediate, verified by its own verifiers, and a
 * signing prompt would hang an unattended run. The message is kept verbatim apart from
 * whitespace, so Markdown `#` headings survive.
 */
export async function commitAll(
  ctx: GitContext,
  worktree: string,
  message: string,
): Promise<string | undefined> {
  if ((await checkWorktreePath(ctx, worktree)) !== 'worktree')
    throw new GafferError(WORKTREE_TAMPERED, `refusing to commit in ${worktree}: it is not a worktree`, {
      hint: 'the worktree was removed while the task ran; run the task again',
      details: { path: worktree },
    });
  await ctx.git(['add', '--all'], { cwd: worktree });
  const identity = await identityArgs(ctx, worktree);
  const args = [
    ...identity,
    'commit',
    '--quiet',
    '--no-verify',
    '--no-gpg-sign',
    '--cleanup=whitespace',
    '--file=-',
  ];
  const committed = await ctx.git(args, {
    cwd: worktree,
    input: message.trim() === '' ? 'Gaffer changes' : message,
    allowFail: true,
  });
  if (committed.code !== 0) {
    // Asked only when the commit failed: nothing staged is "nothing to commit", anything else an error.
    const staged = await ctx.git(['diff', '--cached', '--quiet', '--no-ext-diff'], {
      cwd: worktree,
      allowFail: true,
    });
    if (staged.code === 0) return undefined;
    throw new GitError(args.slice(identity.length), committed.code, committed.stderr);
  }
  const head = await worktreeHead(ctx, worktree);
  rememberCommit(ctx, head);
  return head;
}

/**
 * Files changed between two commits and the lines inserted and deleted (binary files count no
 * lines). With `fromMergeBase`, from the best common ancestor of the two instead of `from` (git's
 * `from...to`, one process): what `to` changed since it forked; nothing when they share no history.
 */
export async function diffStat(
  ctx: GitContext,
  from: string,
  to: string,
  options: { fromMergeBase?: boolean } = {},
): Promise<{ files: string[]; insertions: number; deletions: number }> {
  const a = await requireCommit(ctx, from, 'commit');
  const b = await requireCommit(ctx, to, 'commit');
  const range = options.fromMergeBase ? [`${a}...${b}`] : [a, b];
  const args = ['diff', '--numstat', '-z', '--no-renames', '--no-ext-diff', ...range, '--'];
  const result = await ctx.git(args, { allowFail: options.fromMergeBase });
  if (result.code !== 0) {
    const unrelated = options.fromMergeBase && (await mergeBase(ctx, a, b)) === undefined;
    if (!unrelated) throw new GitError(args, result.code, result.stderr);
    return { files: [], insertions: 0, deletions: 0 };
  }
  const { stdout } = result;
  const files: string[] = [];
  let insertions = 0;
  let deletions = 0;
  for (const record of splitNul(stdout)) {
    const [added = '-', removed = '-', ...rest] = record.split('\t');
    files.push(rest.join('\t'));
    if (added !== '-') insertions += Number(added);
    if (removed !== '-') deletions += Number(removed);
  }
  return { files: files.sort(), insertions, deletions };
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Whether a directory between `worktree` and `path` (repo-relative) is a symlink. */
async function symlinkedParent(worktree: string, path: string): Promise<boolean> {
  for (let dir = dirname(path); dir !== '.' && dir !== ''; dir = dirname(dir)) {
    const info = await lstat(join(worktree, dir)).catch(() => undefined);
    if (info?.isSymbolicLink()) return true;
  }
  return false;
}

/** Git does not track directories, so ones emptied by a deletion would otherwise linger. */
async function removeEmptyParents(worktree: string, path: string): Promise<void> {
  for (let dir = dirname(path); dir !== '.' && dir !== ''; dir = dirname(dir)) {
    const absolute = join(worktree, dir);
    try {
      if ((await readdir(absolute)).length > 0) return;
      await rmdir(absolute);
    } catch {
      return;
    }
  }
}
