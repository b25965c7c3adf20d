import type { Repo } from './repo.js';
import { isGafferBranchRef } from './branch-names.js';
import type { RepoChange, RepoSnapshot, RestoreResult } from './repo-snapshot.js';
import { compareSnapshots, restoreSnapshot, snapshotRepository } from './repo-snapshot.js';

/** The branches of the attempt whose snapshot is compared. */
export interface TamperScope {
  /** The task's own branch: it may advance (a commit of the agent's own work), nothing else. */
  ownBranch: string;
  /** The run's integration branch: only Gaffer's own merges may move it. */
  integrationBranch: string;
}

/** What {@link undoRepositoryChanges} found and did. */
export interface TamperReport extends RestoreResult {
  changes: RepoChange[];
}

/**
 * Compares the repository with `before` and undoes every change that is neither Gaffer's own
 * work nor another task's business, under the repository lock so that no merge runs meanwhile.
 * Left alone: the branches of other tasks and other runs (their own attempts judge them), the
 * task's own branch when it only advanced, and moves of the integration branch made solely of
 * merge commits this Repo wrote (exactly to where it last wrote it, once it wrote it). Everything else — user branches, tags, HEAD of the main checkout,
 * replace refs, the stash, config, hooks, info/* — is put back.
 */
export async function undoRepositoryChanges(
  repo: Repo,
  before: RepoSnapshot,
  scope: TamperScope,
): Promise<TamperReport> {
  const own = `refs/heads/${scope.ownBranch}`;
  const integration = `refs/heads/${scope.integrationBranch}`;
  return repo.withLock(async () => {
    const after = await snapshotRepository(repo);
    const all = compareSnapshots(before, after, {
      ignoreRef: (ref) => isGafferBranchRef(ref) && ref !== own && ref !== integration,
    });
    const changes: RepoChange[] = [];
    for (const change of all) {
      if (change.name === own && change.kind === 'ref-moved' && (await advanced(repo, change))) continue;
      if (change.name === integration && change.kind === 'ref-moved' && mergedByGaffer(repo, change))
        continue;
      changes.push(change);
    }
    return { changes, ...(await restoreSnapshot(repo, before, changes)) };
  });
}

/** One line per change, for the attempt's error: "moved refs/heads/main from abc1234 to def5678; undone". */
export function describeTamper(report: TamperReport): string {
  const failed = new Map(report.failed.map((f) => [f.change, f.reason]));
  const lines = report.changes.map((change) => {
    const reason = failed.get(change);
    return `- ${sentence(change)}; ${reason === undefined ? 'undone' : `NOT undone (${reason})`}`;
  });
  return [
    'The agent changed the repository outside its worktree (refs, config or hooks are Gaffer’s and the user’s, not the task’s):',
    ...lines,
  ].join('\n');
}

function sentence(c: RepoChange): string {
  const short = (id?: string) => (id && /^[0-9a-f]{40,64}$/.test(id) ? id.slice(0, 12) : (id ?? ''));
  switch (c.kind) {
    case 'ref-moved':
      return `the agent moved ${c.name} from ${short(c.before)} to ${short(c.after)}`;
    case 'ref-created':
      return `the agent created ${c.name} at ${short(c.after)}`;
    case 'replace-ref-added':
      return `the agent added the replace ref ${c.name} (${short(c.after)})`;
    case 'ref-deleted':
      return `the agent deleted ${c.name} (was ${short(c.before)})`;
    case 'head-changed':
      return `the agent changed HEAD of the main checkout from ${c.before ?? 'nothing'} to ${c.after ?? 'nothing'}`;
    case 'config-changed':
      return `the agent changed .git/${c.name}`;
    case 'hook-added':
      return `the agent added the hook .git/${c.name}`;
    case 'hook-changed':
      return `the agent changed the hook .git/${c.name}`;
    case 'hook-removed':
      return `the agent removed the hook .git/${c.name}`;
    case 'file-changed':
      return `the agent changed .git/${c.name}`;
  }
}

/** The new commit descends from the old: the branch only gained commits. */
async function advanced(repo: Repo, change: RepoChange): Promise<boolean> {
  if (!change.before || !change.after) return false;
  const result = await repo.git(['merge-base', '--is-ancestor', change.before, change.after], {
    allowFail: true,
  });
  return result.code === 0;
}

/**
 * Gaffer moved the branch, and nothing since: it is exactly where this Repo last put it (a merge,
 * or a merge taken back out). Any other commit is refused, one Gaffer made earlier too: after a
 * merge taken out for breaking the checks, an agent could otherwise move the branch back onto it.
 * A Repo that never wrote the branch (a drive resumed in a new process) accepts no move at all:
 * within one drive only this Repo merges.
 */
function mergedByGaffer(repo: Repo, change: RepoChange): boolean {
  const written = repo.refWrites?.(change.name) ?? [];
  return written.length > 0 && written.at(-1) === change.after;
}
