import type { Repo } from '../git/index.js';

/** The Repo methods that change a repository: each waits for the fence first. */
const WRITES: ReadonlySet<keyof Repo> = new Set([
  'ensureBranch',
  'deleteBranch',
  'addWorktree',
  'removeWorktree',
  'retireWorktree',
  'drainWorktreePool',
  'commitAll',
  'restorePaths',
  'mergeBranch',
  'takeOutMerge',
  'rebase',
  'resetHard',
]);

/**
 * The repository as one drive of a run sees it: every write first proves (with `assertFresh`)
 * that the drive still holds the run's lease, like {@link fencedStore} does for the database.
 */
export function fencedRepo(repo: Repo, assertFresh: () => void): Repo {
  return new Proxy(repo, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      if (!WRITES.has(property as keyof Repo)) return method;
      return (...args: unknown[]) => {
        assertFresh();
        return method(...args);
      };
    },
  });
}
