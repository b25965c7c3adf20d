import { lstat, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { GafferError } from '../domain/index.js';
import type { GitContext } from './git-context.js';
import { canonicalPath, gitdirOf, isInside } from './paths.js';

/** Where Gaffer's worktrees live, relative to the repository root: tasks', the baseline's, the health checks'. */
export const WORKTREE_ROOTS = [
  '.gaffer/worktrees',
  '.gaffer/baseline/worktrees',
  '.gaffer/health/worktrees',
] as const;

/** The code of a refused worktree path (a symlink, a rewritten `.git` file). */
export const WORKTREE_TAMPERED = 'GAFFER_WORKTREE_TAMPERED';

/** What is at a worktree path that passed the checks. */
export type WorktreeState = 'absent' | 'directory' | 'worktree';

/**
 * Checks a worktree path before Gaffer deletes it or commits in it: it must lie below one of
 * {@link WORKTREE_ROOTS} by name and once symlinks are resolved (so neither it nor a directory
 * between the root and it is a symlink), be a real directory, and its `.git` must be a regular file
 * naming an entry of `<common dir>/worktrees/` whose `gitdir` names this `.git` back — git's own
 * link, which an agent that points its `.git` at a sibling's entry breaks. Throws
 * {@link WORKTREE_TAMPERED} otherwise, having touched nothing.
 */
export async function checkWorktreePath(ctx: GitContext, path: string): Promise<WorktreeState> {
  const expected = resolve(path);
  const base = WORKTREE_ROOTS.map((r) => join(ctx.root, r)).find(
    (root) => expected !== root && isInside(root, expected),
  );
  if (base === undefined) throw tampered(expected, `it is not inside ${join(ctx.root, WORKTREE_ROOTS[0])}`);
  const wanted = join(await canonicalPath(base), relative(base, expected));
  const info = await lstat(expected).catch(() => undefined);
  if (info?.isSymbolicLink()) throw tampered(expected, 'it is a symlink');
  const real = await canonicalPath(expected);
  if (real !== wanted)
    throw tampered(expected, `a directory on its way is a symlink (it resolves to ${real})`);
  if (!info) return 'absent';
  if (!info.isDirectory()) throw tampered(expected, 'it is not a directory');
  const dotGit = join(expected, '.git');
  const link = await lstat(dotGit).catch(() => undefined);
  if (!link) return 'directory';
  if (!link.isFile()) throw tampered(expected, 'its .git is not a regular file');
  const text = await readFile(dotGit, 'utf8');
  const gitdir = gitdirOf(text);
  if (!gitdir) throw tampered(expected, 'its .git file does not name a gitdir');
  const entry = await canonicalPath(resolve(expected, gitdir));
  const entries = join(await commonDirOf(ctx), 'worktrees');
  if (dirname(entry) !== entries)
    throw tampered(expected, `its .git points at ${entry}, not at an entry of ${entries}${sep}`);
  const back = await readFile(join(entry, 'gitdir'), 'utf8').catch(() => undefined);
  if (back === undefined || (await canonicalPath(back.trim())) !== (await canonicalPath(dotGit)))
    throw tampered(expected, `its .git points at ${entry}, which belongs to another worktree`);
  return 'worktree';
}

/** The common dir of the repository, as the context knows it or as git says. */
export async function commonDirOf(ctx: GitContext): Promise<string> {
  if (ctx.commonDir !== undefined) return ctx.commonDir;
  const { stdout } = await ctx.git(['rev-parse', '--path-format=absolute', '--git-common-dir']);
  return canonicalPath(stdout.trim());
}

function tampered(path: string, reason: string): GafferError {
  return new GafferError(WORKTREE_TAMPERED, `refusing to touch worktree ${path}: ${reason}`, {
    hint: `something replaced or rewired the worktree; inspect ${path} and remove it yourself once it is safe`,
    details: { path, reason },
  });
}
