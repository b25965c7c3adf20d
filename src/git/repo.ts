import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { userError } from '../domain/index.js';
import { commitAll, changedPaths, diffStat, dirtyFiles, restorePaths } from './changes.js';
import { addGafferExclude } from './exclude.js';
import { ConfigGuard, type ConfigEntry } from './config-guard.js';
import { execGit, type GitResult } from './exec-git.js';
import type { GitCallOptions, GitContext } from './git-context.js';
import { mergeBranch, rebase, resetHard, type MergeResult, type RebaseResult } from './merge.js';
import { canonicalPath } from './paths.js';
import { findMergeByLine, reapplyMerge, takeOutMerge, type TakeOutResult } from './take-out.js';
import {
  branchExists,
  currentBranch,
  deleteBranch,
  ensureBranch,
  isAncestor,
  mergeBase,
  readFileAt,
  resolveCommit,
  treeOf,
} from './refs.js';
import { withRepoLock } from './repo-lock.js';
import {
  addWorktree,
  listWorktrees,
  removeWorktree,
  retireWorktree,
  drainWorktreePool,
  type AddWorktreeOptions,
  type WorktreeInfo,
} from './worktrees.js';

/** A git repository with a working tree, driven through the git CLI. */
export interface Repo {
  /** Top-level directory of the main working tree (symlinks resolved). */
  readonly root: string;
  /** The git common dir (symlinks resolved). Optional so that test doubles need not have one. */
  readonly commonDir?: string;
  /**
   * The values Gaffer's own calls through this Repo gave `ref` (branch creation, merges), oldest
   * first: how a snapshot compare tells Gaffer's moves of the integration branch from an agent's.
   * Optional so that test doubles need not keep them.
   */
  refWrites?(ref: string): readonly string[];
  /**
   * Serialises worktree add/remove, merges and branch updates on this repository, across
   * processes: a lock file in the git common dir (see repo-lock.ts), queued within a process.
   * Re-entrant, so locked Repo methods may be called inside `fn`.
   */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Raw git (argv, no shell); cwd defaults to root; throws GitError on a non-zero exit unless allowFail. */
  git(args: string[], opts?: GitCallOptions): Promise<GitResult>;
  /** Branch of the main working tree; undefined when detached. */
  currentBranch(): Promise<string | undefined>;
  /** Full commit id of `ref`, or undefined when it names no commit. */
  resolveCommit(ref: string): Promise<string | undefined>;
  /** Tracked files with uncommitted changes (staged or not) in the main working tree; untracked files do not count. */
  dirtyFiles(): Promise<string[]>;
  /** Whether the local branch exists. */
  branchExists(name: string): Promise<boolean>;
  /** Creates `name` at `commit` (locked); if it already exists at any commit, leaves it (resume) and returns its commit. */
  ensureBranch(name: string, commit: string): Promise<string>;
  /**
   * Makes `path` a worktree on `branch`, created at `fromCommit` when it does not exist: a free
   * worktree of the pool is moved there and switched (only differing files are written), else one
   * is added. Idempotent for resume: nothing to do when `path` already is a worktree on `branch`;
   * the existing branch is checked out when only the worktree is missing; what a crash left
   * half-done is repaired. The lock covers git's bookkeeping only, not the checkout. True when
   * it wrote the worktree's files, false when it was already there.
   */
  addWorktree(
    path: string,
    branch: string,
    fromCommit: string,
    options?: AddWorktreeOptions,
  ): Promise<boolean>;
  /** `git worktree remove --force` under the lock (+ prune); no error if already gone. Optionally deletes a branch too. */
  removeWorktree(path: string, options?: { deleteBranch?: string }): Promise<void>;
  /** A passed task's worktree goes into the pool (detached) while it holds fewer than `poolSize`, else is removed. */
  retireWorktree(path: string, poolSize: number): Promise<void>;
  /** Removes the worktrees waiting in the pool; returns their paths. */
  drainWorktreePool(): Promise<string[]>;
  /** Every working tree, the main one first. */
  listWorktrees(): Promise<WorktreeInfo[]>;
  /** Stages everything (incl. deletions and untracked files) in the worktree and commits; the new HEAD, or undefined when nothing changed. */
  commitAll(worktree: string, message: string): Promise<string | undefined>;
  /** Repo-relative paths differing between `sinceCommit` and the worktree's files (committed, staged, unstaged, untracked-not-ignored), sorted. */
  changedPaths(worktree: string, sinceCommit: string): Promise<string[]>;
  /** Puts these paths back as they were at `commit` in the worktree (restores content, or deletes files that did not exist then). */
  restorePaths(worktree: string, paths: string[], commit: string): Promise<void>;
  /** Files changed between two commits plus line counts; `fromMergeBase`: since `to` forked from `from`. */
  diffStat(
    from: string,
    to: string,
    options?: { fromMergeBase?: boolean },
  ): Promise<{ files: string[]; insertions: number; deletions: number }>;
  /** Whether `ancestor` is reachable from `descendant`. */
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** Deletes a local branch (under the lock); no error when it does not exist. */
  deleteBranch(name: string): Promise<void>;
  /** A file's content at a commit (not the working copy); undefined when the commit has no such file. */
  readFileAt(commit: string, path: string): Promise<string | undefined>;
  /** The common ancestor of two commits, or undefined when they have none. */
  mergeBase(a: string, b: string): Promise<string | undefined>;
  /** Tree id of a commit (equal trees mean equal content). */
  treeOf(ref: string): Promise<string>;
  /**
   * Merges branch `source` into branch `target` without touching any working tree (merge-tree →
   * commit-tree → compare-and-swap update-ref, under the lock). Already merged → the target head
   * with `alreadyMerged: true`; conflict → the paths, and nothing changes. Throws when `target`
   * is checked out in a worktree. `commit`, when given, is what is merged (`source` then only
   * names it): the commit Gaffer checked, never a ref something else may have moved since.
   */
  mergeBranch(
    target: string,
    source: string,
    message: string,
    options?: { squash?: boolean; commit?: string },
  ): Promise<MergeResult>;
  /**
   * Takes a merge Gaffer made back out of branch `target` (see {@link takeOutMerge}): a reset to
   * its first parent when nothing is on top, else a revert commit; repeated, it writes nothing.
   */
  takeOutMerge(target: string, merge: string, message: string): Promise<TakeOutResult>;
  /** A new commit on `onto` with the changes `merge` made (see {@link reapplyMerge}); moves no ref. */
  reapplyMerge(
    merge: string,
    onto: string,
    message: string,
  ): Promise<{ ok: true; commit: string } | { ok: false; conflicts: string[] }>;
  /** The newest first-parent commit of `branch` after `since` whose message has the line `line`. */
  findMergeByLine(branch: string, since: string, line: string): Promise<string | undefined>;
  /** Rebases the branch checked out in `worktree` onto `onto`; on conflict aborts (worktree as before) and returns the paths. */
  rebase(worktree: string, onto: string): Promise<RebaseResult>;
  /** Resets a worktree to a commit and removes untracked, non-ignored files. */
  resetHard(worktree: string, commit: string): Promise<void>;
  /** Ignores `.gaffer/` through `info/exclude` in the common dir (tracked files untouched); idempotent. */
  ignoreGafferDir(): Promise<void>;
}

/** Options of {@link openRepo}. */
export interface OpenRepoOptions {
  /** Environment variables added to every git command of this Repo (e.g. HOME or GIT_CONFIG_NOSYSTEM in tests). */
  env?: Record<string, string>;
}

/**
 * Opens the repository whose working tree contains `dir`. Throws a user error
 * (GAFFER_NOT_A_REPO) when `dir` is not inside a git working tree.
 */
export async function openRepo(dir: string, options: OpenRepoOptions = {}): Promise<Repo> {
  const cwd = resolve(dir);
  const notARepo = (reason: string) =>
    userError(
      'GAFFER_NOT_A_REPO',
      `${cwd} is not inside a git working tree${reason ? ` (${reason})` : ''}`,
      `run \`git init\` in ${cwd}, or pass the directory of an existing repository`,
      { dir: cwd },
    );
  const isDir = await stat(cwd).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw notARepo('no such directory');
  const probe = await execGit(
    ['rev-parse', '--is-inside-work-tree', '--path-format=absolute', '--git-common-dir'],
    { cwd, env: options.env, allowFail: true },
  );
  const [inside, commonDir] = probe.stdout.trim().split('\n');
  if (probe.code !== 0 || inside !== 'true' || !commonDir)
    throw notARepo(probe.stderr.trim().split('\n')[0] ?? '');
  const common = await canonicalPath(commonDir);
  // The main working tree comes first in the list, also when `dir` is inside a linked worktree.
  const list = await execGit(['worktree', 'list', '--porcelain', '-z'], { cwd, env: options.env });
  const main = list.stdout.split('\0')[0]?.replace(/^worktree /, '') ?? cwd;
  const root = await canonicalPath(main);
  // The program-running config present now is the user's; what appears later is neutralised.
  const guard = await ConfigGuard.open(root, options.env ?? {}, common);
  return new GitRepo(root, common, options.env ?? {}, guard);
}

class GitRepo implements Repo, GitContext {
  private readonly written = new Map<string, string[]>();
  readonly memoKey: object = {};

  constructor(
    readonly root: string,
    readonly commonDir: string,
    private readonly env: Record<string, string>,
    private readonly guard: ConfigGuard,
  ) {}

  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return withRepoLock(this.commonDir, fn);
  }

  async git(args: string[], opts: GitCallOptions = {}): Promise<GitResult> {
    const cwd = opts.cwd ?? this.root;
    const configOverrides = await this.guard.overridesFor(args, cwd);
    return execGit(args, { ...opts, cwd, env: { ...this.env, ...opts.env }, configOverrides });
  }

  noteRefWrite(ref: string, value: string): void {
    const values = this.written.get(ref) ?? [];
    values.push(value);
    this.written.set(ref, values);
  }

  refWrites(ref: string): readonly string[] {
    return [...(this.written.get(ref) ?? [])];
  }

  configAt(cwd: string): Promise<readonly ConfigEntry[]> {
    return this.guard.entriesAt(cwd);
  }

  currentBranch = () => currentBranch(this);
  resolveCommit = (ref: string) => resolveCommit(this, ref);
  dirtyFiles = () => dirtyFiles(this);
  branchExists = (name: string) => branchExists(this, name);
  ensureBranch = (name: string, commit: string) => ensureBranch(this, name, commit);
  addWorktree = (path: string, branch: string, fromCommit: string, options?: AddWorktreeOptions) =>
    addWorktree(this, path, branch, fromCommit, options);
  removeWorktree = (path: string, options?: { deleteBranch?: string }) => removeWorktree(this, path, options);
  retireWorktree = (path: string, poolSize: number) => retireWorktree(this, path, poolSize);
  drainWorktreePool = () => drainWorktreePool(this);
  listWorktrees = () => listWorktrees(this);
  commitAll = (worktree: string, message: string) => commitAll(this, worktree, message);
  changedPaths = (worktree: string, since: string) => changedPaths(this, worktree, since);
  restorePaths = (worktree: string, paths: string[], commit: string) =>
    restorePaths(this, worktree, paths, commit);
  diffStat = (from: string, to: string, options?: { fromMergeBase?: boolean }) =>
    diffStat(this, from, to, options);
  isAncestor = (ancestor: string, descendant: string) => isAncestor(this, ancestor, descendant);
  treeOf = (ref: string) => treeOf(this, ref);
  readFileAt = (commit: string, path: string) => readFileAt(this, commit, path);
  deleteBranch = (name: string) => this.withLock(() => deleteBranch(this, name));
  mergeBase = (a: string, b: string) => mergeBase(this, a, b);
  mergeBranch = (
    target: string,
    source: string,
    message: string,
    options?: { squash?: boolean; commit?: string },
  ) => mergeBranch(this, target, source, message, options);
  takeOutMerge = (target: string, merge: string, message: string) =>
    takeOutMerge(this, target, merge, message);
  reapplyMerge = (merge: string, onto: string, message: string) => reapplyMerge(this, merge, onto, message);
  findMergeByLine = (branch: string, since: string, line: string) =>
    findMergeByLine(this, branch, since, line);
  rebase = (worktree: string, onto: string) => rebase(this, worktree, onto);
  resetHard = (worktree: string, commit: string) => resetHard(this, worktree, commit);
  ignoreGafferDir = () => this.withLock(() => addGafferExclude(this.commonDir));
}
