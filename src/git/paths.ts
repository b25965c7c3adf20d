import { readFile, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { GafferError } from '../domain/index.js';

/**
 * The absolute, symlink-free form of `path`, also when it does not exist yet: the longest
 * existing ancestor is resolved and the rest appended. Git records worktree paths resolved, so
 * comparisons must be too (macOS's /var → /private/var, for instance).
 */
export async function canonicalPath(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return resolve(await canonicalPath(parent), basename(absolute));
  }
}

/** The directory a worktree's `.git` file names (`gitdir: <path>`), as written; undefined when it names none. */
export function gitdirOf(dotGitText: string): string | undefined {
  return /^gitdir: (.+?)\r?\n?$/.exec(dotGitText)?.[1];
}

/**
 * The worktree's entry in git's directory (`<common dir>/worktrees/<name>`), as its `.git` file
 * names it, resolved against the worktree; undefined when there is no such file or it names none.
 */
export async function worktreeEntryDir(worktree: string): Promise<string | undefined> {
  const text = await readFile(join(worktree, '.git'), 'utf8').catch(() => '');
  const gitdir = gitdirOf(text);
  return gitdir === undefined ? undefined : resolve(worktree, gitdir);
}

/**
 * The ref a HEAD file names (`ref: refs/heads/main` → `refs/heads/main`); undefined when it is
 * detached, missing or unreadable.
 */
export async function symbolicHeadOf(headFile: string): Promise<string | undefined> {
  const text = await readFile(headFile, 'utf8').catch(() => '');
  return /^ref: (\S+)\s*$/.exec(text)?.[1];
}

/** Whether `child` is `parent` or below it (both absolute). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Checks that `path` is a repository-relative path that stays inside the working tree, and
 * returns it with forward slashes. We delete and restore files by these paths, so one escaping
 * the worktree would be a real hazard.
 */
export function assertRepoRelative(path: string): string {
  const normalised = path.replaceAll('\\', '/');
  const parts = normalised.split('/');
  if (normalised === '' || isAbsolute(normalised) || parts.includes('..') || parts[0] === '.git') {
    throw new GafferError(
      'GAFFER_INVALID_PATH',
      `not a path inside the working tree: ${JSON.stringify(path)}`,
      {
        hint: 'pass paths relative to the repository root, without ".." and outside .git/',
        details: { path },
      },
    );
  }
  return normalised;
}
