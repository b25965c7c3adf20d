import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  GitResult,
  MergeResult,
  RebaseResult,
  Repo,
  TakeOutResult,
  WorktreeInfo,
} from '../../../src/git/index.js';

/** One call a {@link FakeRepo} received. */
export interface RepoCall {
  method: keyof Repo;
  args: unknown[];
}

export interface FakeRepoOptions {
  /** The repository root; a new temp dir by default (worktrees and transcripts go under it). */
  root?: string;
  /** Refs and their commits, e.g. `{ 'refs/heads/gaffer/run-1': 'integration-1' }`. */
  refs?: Record<string, string>;
  /** Results of successive `mergeBranch` calls; once used up, a clean merge. */
  merges?: MergeResult[];
  /** Results of successive `rebase` calls; once used up, a clean rebase. */
  rebases?: RebaseResult[];
  /** What `changedPaths` reports (the guard reverts the protected ones). */
  changedPaths?: string[];
  /** Files by commit for `readFileAt`: `{ [commit]: { [path]: content } }`. */
  files?: Record<string, Record<string, string>>;
  /** Called with every call as it is made: a test's hook to act at an exact point (pause while committing). */
  onCall?: (call: RepoCall) => void;
}

/**
 * A `Repo` that never runs git: it keeps refs in a map, answers with scripted results and
 * records every call but `withLock`. `addWorktree` creates the directory, since verifiers and transcripts
 * use the real file system; `commitAll` makes commits `commit-1`, `commit-2`, … on the
 * worktree's branch; a clean `mergeBranch` moves the target to `merge-N`.
 */
export class FakeRepo implements Repo {
  readonly root: string;
  readonly calls: RepoCall[] = [];
  readonly refs: Map<string, string>;
  private readonly worktrees = new Map<string, string>();
  private readonly merges: MergeResult[];
  private readonly rebases: RebaseResult[];
  private commits = 0;

  constructor(private readonly options: FakeRepoOptions = {}) {
    this.root = options.root ?? mkdtempSync(join(tmpdir(), 'gaffer-fake-repo-'));
    this.refs = new Map(Object.entries(options.refs ?? {}));
    this.merges = [...(options.merges ?? [])];
    this.rebases = [...(options.rebases ?? [])];
  }

  /** The arguments of every call to `method`, in order. */
  callsOf(method: keyof Repo): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private record(method: keyof Repo, ...args: unknown[]): void {
    const call = { method, args };
    this.calls.push(call);
    this.options.onCall?.(call);
  }

  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  async git(args: string[]): Promise<GitResult> {
    this.record('git', args);
    return { stdout: '', stderr: '', code: 0 };
  }
  async currentBranch() {
    this.record('currentBranch');
    return 'main';
  }
  async resolveCommit(ref: string) {
    this.record('resolveCommit', ref);
    return this.refs.get(ref);
  }
  async dirtyFiles(): Promise<string[]> {
    this.record('dirtyFiles');
    return [];
  }
  async branchExists(name: string) {
    this.record('branchExists', name);
    return this.refs.has(`refs/heads/${name}`);
  }
  async ensureBranch(name: string, commit: string) {
    this.record('ensureBranch', name, commit);
    const ref = `refs/heads/${name}`;
    if (!this.refs.has(ref)) this.refs.set(ref, commit);
    return this.refs.get(ref) ?? commit;
  }
  async addWorktree(path: string, branch: string, fromCommit: string) {
    this.record('addWorktree', path, branch, fromCommit);
    const made = this.worktrees.get(path) !== branch;
    mkdirSync(path, { recursive: true });
    this.worktrees.set(path, branch);
    await this.ensureBranch(branch, fromCommit);
    return made;
  }
  async removeWorktree(path: string, options?: { deleteBranch?: string }) {
    this.record('removeWorktree', path, options);
    this.worktrees.delete(path);
  }
  async retireWorktree(path: string, poolSize: number) {
    this.record('retireWorktree', path, poolSize);
    this.worktrees.delete(path);
  }
  async drainWorktreePool(): Promise<string[]> {
    this.record('drainWorktreePool');
    return [];
  }
  async listWorktrees(): Promise<WorktreeInfo[]> {
    this.record('listWorktrees');
    return [...this.worktrees].map(([path, branch]) => ({
      path,
      branch,
      head: this.refs.get(`refs/heads/${branch}`) ?? '',
    }));
  }
  async commitAll(worktree: string, message: string) {
    this.record('commitAll', worktree, message);
    const head = `commit-${++this.commits}`;
    const branch = this.worktrees.get(worktree);
    if (branch) this.refs.set(`refs/heads/${branch}`, head);
    return head;
  }
  async changedPaths(worktree: string, sinceCommit: string) {
    this.record('changedPaths', worktree, sinceCommit);
    return [...(this.options.changedPaths ?? [])];
  }
  async restorePaths(worktree: string, paths: string[], commit: string) {
    this.record('restorePaths', worktree, paths, commit);
  }
  async diffStat(from: string, to: string) {
    this.record('diffStat', from, to);
    return { files: [...(this.options.changedPaths ?? [])], insertions: 0, deletions: 0 };
  }
  async isAncestor(ancestor: string, descendant: string) {
    this.record('isAncestor', ancestor, descendant);
    return false;
  }
  async readFileAt(commit: string, path: string) {
    this.record('readFileAt', commit, path);
    return this.options.files?.[commit]?.[path];
  }
  async deleteBranch(name: string) {
    this.record('deleteBranch', name);
    this.refs.delete(`refs/heads/${name}`);
  }
  async mergeBase(a: string, b: string) {
    this.record('mergeBase', a, b);
    return a;
  }
  async treeOf(ref: string) {
    this.record('treeOf', ref);
    return `tree-of-${ref}`;
  }
  async mergeBranch(target: string, source: string, message: string): Promise<MergeResult> {
    this.record('mergeBranch', target, source, message);
    const result = this.merges.shift() ?? {
      ok: true,
      commit: `merge-${++this.commits}`,
      alreadyMerged: false,
    };
    if (result.ok) this.refs.set(`refs/heads/${target}`, result.commit);
    return result;
  }
  /** Takes a merge out as a reset: the fake keeps no history, so the target goes back to `before-<merge>`. */
  async takeOutMerge(target: string, merge: string, message: string): Promise<TakeOutResult> {
    this.record('takeOutMerge', target, merge, message);
    const head = `before-${merge}`;
    this.refs.set(`refs/heads/${target}`, head);
    return { ok: true, how: 'reset', head };
  }
  async reapplyMerge(merge: string, onto: string, message: string) {
    this.record('reapplyMerge', merge, onto, message);
    return { ok: true as const, commit: `reapplied-${++this.commits}` };
  }
  async findMergeByLine(branch: string, since: string, line: string) {
    this.record('findMergeByLine', branch, since, line);
    return undefined;
  }
  async rebase(worktree: string, onto: string): Promise<RebaseResult> {
    this.record('rebase', worktree, onto);
    const result = this.rebases.shift() ?? { ok: true, head: `rebased-${++this.commits}` };
    // A rebase that succeeds moves the worktree's branch, as git's does.
    const branch = this.worktrees.get(worktree);
    if (result.ok && branch) this.refs.set(`refs/heads/${branch}`, result.head);
    return result;
  }
  async resetHard(worktree: string, commit: string) {
    this.record('resetHard', worktree, commit);
    const branch = this.worktrees.get(worktree);
    if (branch) this.refs.set(`refs/heads/${branch}`, commit);
  }
  async ignoreGafferDir() {
    this.record('ignoreGafferDir');
  }
}
