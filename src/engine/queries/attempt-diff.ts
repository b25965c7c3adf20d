import type { AttemptRecord } from '../../domain/index.js';
import { openRepo } from '../../git/index.js';

/** What an attempt changed: the patch from its base to the commit it made, with its stats. */
export interface AttemptDiff {
  attemptId: string;
  baseCommit: string;
  /** The attempt's commit; null while it has none (still running, or it changed nothing). */
  headCommit: string | null;
  files: string[];
  insertions: number;
  deletions: number;
  /** The unified diff, cut at {@link MAX_DIFF_CHARS}; empty without a commit. */
  patch: string;
  truncated: boolean;
  /** False when a commit is no longer in the repository (collected after its branch was deleted). */
  available: boolean;
}

/** Enough to review an attempt in a browser; a bigger patch is cut, and says so. */
export const MAX_DIFF_CHARS = 2 * 1024 * 1024;

/**
 * An attempt's diff, read through the Repo API from the repository `repoPath` (the run's): the
 * commits are the ids recorded on the attempt, never a branch name something may have moved.
 */
export async function attemptDiff(repoPath: string, attempt: AttemptRecord): Promise<AttemptDiff> {
  const empty: AttemptDiff = {
    attemptId: attempt.id,
    baseCommit: attempt.baseCommit,
    headCommit: attempt.headCommit,
    files: [],
    insertions: 0,
    deletions: 0,
    patch: '',
    truncated: false,
    available: true,
  };
  if (attempt.headCommit === null) return empty;
  const git = await openRepo(repoPath);
  const [base, head] = await Promise.all([
    git.resolveCommit(`${attempt.baseCommit}^{commit}`),
    git.resolveCommit(`${attempt.headCommit}^{commit}`),
  ]);
  if (base === undefined || head === undefined) return { ...empty, available: false };
  const [stat, diff] = await Promise.all([
    git.diffStat(base, head),
    git.git(['diff', '--no-color', base, head, '--']),
  ]);
  const truncated = diff.stdout.length > MAX_DIFF_CHARS;
  return {
    ...empty,
    ...stat,
    patch: truncated ? diff.stdout.slice(0, MAX_DIFF_CHARS) : diff.stdout,
    truncated,
  };
}
