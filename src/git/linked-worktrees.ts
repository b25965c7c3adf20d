import { lstat, readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { parseLooseRef } from './ref-files.js';
import type { PoolCandidate } from './worktree-pool.js';

/** A linked worktree as `git worktree list --porcelain` shows it, as far as registering one needs. */
export interface LinkedWorktree extends PoolCandidate {
  /** Its directory is gone: `git worktree prune` would drop it. */
  prunable: boolean;
}

/**
 * The linked worktrees of the repository, read from git's own files the way `git worktree list`
 * reads them — each entry `<common dir>/worktrees/<name>/` with its `gitdir` (where the worktree's
 * `.git` is), `HEAD` and `locked` — sorted by path like git lists them. Undefined, so that git is
 * asked, when an entry is anything but what git writes: not a plain folder, a `gitdir` that is not
 * one absolute `…/.git` line, a HEAD that is neither a branch nor a commit id, or a worktree whose
 * `.git` is gone (git would call it prunable, and the caller prunes through git).
 */
export async function readLinkedWorktrees(commonDir: string): Promise<LinkedWorktree[] | undefined> {
  const dir = join(commonDir, 'worktrees');
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? [] : undefined;
  }
  const worktrees: LinkedWorktree[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) return undefined;
    const worktree = await readEntry(join(dir, entry.name));
    if (worktree === undefined) return undefined;
    worktrees.push(worktree);
  }
  return worktrees.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function readEntry(entry: string): Promise<LinkedWorktree | undefined> {
  const dotGit = gitdirLine(await readFile(join(entry, 'gitdir'), 'utf8').catch(() => ''));
  if (dotGit === undefined || (await lstat(dotGit).catch(() => undefined)) === undefined) return undefined;
  const head = parseLooseRef(await readFile(join(entry, 'HEAD'), 'utf8').catch(() => ''));
  if (head === undefined) return undefined;
  let branch: string | undefined;
  if ('target' in head) {
    if (!head.target.startsWith('refs/heads/')) return undefined;
    branch = head.target.slice('refs/heads/'.length);
  }
  const locked = await readFile(join(entry, 'locked'), 'utf8').catch((error: NodeJS.ErrnoException) => error);
  if (locked instanceof Error && locked.code !== 'ENOENT') return undefined;
  return {
    path: dotGit.slice(0, -'/.git'.length),
    branch,
    // git trims the reason it shows.
    locked: locked instanceof Error ? undefined : locked.trim(),
    prunable: false,
  };
}

/** The `.git` path of a `gitdir` file as git writes it (one absolute path ending in `/.git`), or undefined. */
function gitdirLine(text: string): string | undefined {
  const path = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (!isAbsolute(path) || !path.endsWith('/.git') || /[\r\n]/.test(path)) return undefined;
  return path;
}
