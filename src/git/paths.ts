import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
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
