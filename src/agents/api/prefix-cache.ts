import { gitStdout, readRepoSnapshot } from './gather-context.js';
import { buildStablePrefix } from './pack-context.js';
import type { StablePrefix } from './pack-context.js';

/** Runs whose prefixes are kept; older ones are dropped (a process rarely drives more at once). */
const MAX_ENTRIES = 16;

/** The repository a worktree belongs to: every worktree of one repository shares git's common dir. */
async function repositoryOf(cwd: string): Promise<string> {
  const dir = await gitStdout(cwd, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
  // Outside git (or without it) the prefix is simply not shared with other worktrees.
  return dir?.trim() || cwd;
}

export interface PrefixCache {
  /** The stable prefix of `runId` in the repository of `cwd`, built from the first task that asks. */
  get(runId: string, cwd: string, budgetTokens: number): Promise<StablePrefix>;
}

/**
 * Keeps one stable prefix per run and repository. Worktrees of later tasks contain what earlier
 * tasks merged, so rebuilding per task would change the file map and lose the provider's cache;
 * the first task's snapshot is reused instead (the model can still list files itself).
 */
export function createPrefixCache(): PrefixCache {
  const entries = new Map<string, Promise<StablePrefix>>();
  return {
    async get(runId, cwd, budgetTokens) {
      const key = `${runId}\0${await repositoryOf(cwd)}\0${budgetTokens}`;
      let entry = entries.get(key);
      if (entry === undefined) {
        entry = readRepoSnapshot(cwd).then((snapshot) => buildStablePrefix(snapshot, budgetTokens));
        entries.set(key, entry);
        entry.catch(() => entries.delete(key));
        while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
      }
      return entry;
    },
  };
}
