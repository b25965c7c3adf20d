import type { GitContext } from './git-context.js';

/** Facts about a repository's objects that this process learned or made; objects never change, so they stay true. */
export interface RepoMemo {
  /** Full ids known to be commits of the repository. */
  readonly commits: Set<string>;
  /** Commit → its tree, as asked or made. */
  readonly trees: Map<string, string>;
}

/**
 * The memo of `ctx`'s repository, kept under its {@link GitContext.memoKey}: the engine hands
 * its steps the Repo behind a Proxy (the lease fence), and what a merge noted through the Repo
 * itself must be found again through the Proxy. A context without one (a test double) is its own key.
 */
export function memoOf(ctx: GitContext): RepoMemo {
  const key = ctx.memoKey ?? ctx;
  let memo = memos.get(key);
  if (memo === undefined) {
    memo = { commits: new Set(), trees: new Map() };
    memos.set(key, memo);
  }
  return memo;
}

const memos = new WeakMap<object, RepoMemo>();
