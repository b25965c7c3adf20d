import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Limits } from '../domain/index.js';
import { DEFAULT_LIMITS } from '../domain/index.js';
import { isMissing } from './repo-files.js';

/** The limits' unit: `max_file_mb: 10` is 10 MiB. */
export const BYTES_PER_MB = 1024 * 1024;

/** A file an attempt added or changed, with its size in the worktree now. */
export interface ChangedFile {
  path: string;
  bytes: number;
}

/** How an attempt's changes measure against the plan's limits. */
export interface LimitsVerdict {
  /** Files that must not be committed: each one over `max_file_mb`, then the largest until the rest fits `max_diff_mb`. */
  oversized: ChangedFile[];
  /** Every changed file's size added up, before anything was left out. */
  totalBytes: number;
  limits: Limits;
}

/** The plan's `limits:` over the defaults. */
export function limitsOf(settings: { limits?: Partial<Limits> }): Limits {
  return { ...DEFAULT_LIMITS, ...settings.limits };
}

/**
 * The decision, apart from any file reading. A file counts with its whole size, not the lines it
 * changed: git stores whole blobs, so that is what the repository grows by. Over the total, the
 * largest files are left out (ties by path, so the choice is stable) until the rest fits: the
 * attempt keeps as much of its work as the limit allows, and the files named are the ones that
 * made it too big.
 */
export function judgeDiffLimits(files: readonly ChangedFile[], limits: Limits): LimitsVerdict {
  const maxFile = limits.max_file_mb * BYTES_PER_MB;
  const maxDiff = limits.max_diff_mb * BYTES_PER_MB;
  const totalBytes = files.reduce((sum, file) => sum + file.bytes, 0);
  const oversized = files.filter((file) => file.bytes > maxFile);
  let kept = totalBytes - oversized.reduce((sum, file) => sum + file.bytes, 0);
  const largestFirst = files
    .filter((file) => file.bytes <= maxFile)
    .sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
  for (const file of largestFirst) {
    if (kept <= maxDiff) break;
    oversized.push(file);
    kept -= file.bytes;
  }
  return { oversized: oversized.sort((a, b) => a.path.localeCompare(b.path)), totalBytes, limits };
}

/** The first line is the task's short reason in status views: a few names, the count of the rest. */
const NAMED_IN_FIRST_LINE = 3;

/** What the attempt's failure says: the files, their sizes, the limit each broke and the setting to raise. */
export function limitsMessage(verdict: LimitsVerdict): string {
  const { oversized, totalBytes, limits } = verdict;
  const maxFile = limits.max_file_mb * BYTES_PER_MB;
  const tooBig = oversized.filter((file) => file.bytes > maxFile);
  const leftOut = oversized.filter((file) => file.bytes <= maxFile);
  const line = (file: ChangedFile) => `- ${file.path} (${formatBytes(file.bytes)})`;
  const named = oversized.slice(0, NAMED_IN_FIRST_LINE).map((f) => f.path);
  const more = oversized.length - named.length;
  const parts = [
    `The attempt's changes exceed the plan's size limits; ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''} ${oversized.length === 1 ? 'was' : 'were'} not committed and removed from the worktree.`,
  ];
  if (tooBig.length > 0)
    parts.push(`Over limits.max_file_mb (${limits.max_file_mb} MB per file):`, ...tooBig.map(line));
  if (leftOut.length > 0)
    parts.push(
      `The changes total ${formatBytes(totalBytes)}, over limits.max_diff_mb (${limits.max_diff_mb} MB per attempt); the largest files were left out until the rest fit:`,
      ...leftOut.map(line),
    );
  parts.push(
    'Keep generated, downloaded or build output out of the repository (or in .gitignore). If these files belong in it, raise limits.max_file_mb or limits.max_diff_mb in the plan.',
  );
  return parts.join('\n');
}

/** `12.0 MB (12582912 bytes)`. */
export function formatBytes(bytes: number): string {
  return `${(bytes / BYTES_PER_MB).toFixed(1)} MB (${bytes} bytes)`;
}

/** lstat calls at once: enough to hide their latency, few enough to leave file handles to others. */
const CONCURRENCY = 64;

/**
 * Sizes of the given repo-relative paths in `worktree` (the paths git reports as changed, so no
 * directory is walked). A symbolic link counts as its own size and is never followed; a path
 * below a symbolic link is not in the worktree at all (git never lists one, but the tree can
 * change after it did) and is left out, as are deleted paths and directories (an embedded
 * repository, which git does not commit as files).
 */
export async function measureChangedFiles(
  worktree: string,
  paths: readonly string[],
): Promise<ChangedFile[]> {
  const measured: (ChangedFile | undefined)[] = [];
  for (let i = 0; i < paths.length; i += CONCURRENCY) {
    const batch = paths.slice(i, i + CONCURRENCY);
    measured.push(...(await Promise.all(batch.map((path) => sizeOf(worktree, path)))));
  }
  return measured.filter((file): file is ChangedFile => file !== undefined);
}

async function sizeOf(worktree: string, path: string): Promise<ChangedFile | undefined> {
  const clean = path.replace(/\/+$/, '');
  const stats = await lstatInWorktree(worktree, clean);
  if (!stats || (!stats.isFile() && !stats.isSymbolicLink())) return undefined;
  return { path: clean, bytes: stats.size };
}

/**
 * lstat of a repo-relative path, undefined when it is absent or not inside the worktree's own
 * directories: a component that is `..`, or a parent that is a symbolic link (which would lead
 * out of the worktree). The path itself may be a link; it is never followed.
 */
export async function lstatInWorktree(worktree: string, path: string): Promise<Stats | undefined> {
  const parts = path.split('/');
  if (parts.some((part) => part === '' || part === '.' || part === '..')) return undefined;
  try {
    for (let depth = 1; depth < parts.length; depth++) {
      if (!(await lstat(join(worktree, ...parts.slice(0, depth)))).isDirectory()) return undefined;
    }
    return await lstat(join(worktree, ...parts));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}
