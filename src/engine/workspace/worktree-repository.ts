import type { Plan } from '../../domain/index.js';
import { userError } from '../../domain/index.js';
import type { Repo } from '../../git/index.js';

/**
 * What task worktrees of this repository will lack or carry, judged when a run is created so it
 * is said before anything starts: warnings for submodules (never initialised in a worktree) and
 * for Git LFS files without git-lfs (pointer files instead of content); a user error when git
 * would refuse the checkout (`filter.lfs.required` without git-lfs), or when a `worktree.copy`
 * or `link` path is not ignored by git, so a task's commit would take it (a `.env` with secrets).
 */
export async function worktreeRepositoryWarnings(
  repo: Pick<Repo, 'git' | 'readFileAt'>,
  plan: Plan,
  baseCommit: string,
): Promise<string[]> {
  await refuseUnignored(repo, plan);
  const warnings: string[] = [];
  const submodules = await submodulePaths(repo, baseCommit);
  if (submodules.length > 0)
    warnings.push(
      `the repository has submodules (${submodules.slice(0, 5).join(', ')}${submodules.length > 5 ? ', …' : ''}): ` +
        'task worktrees get them as empty folders — Gaffer does not initialise submodules, and the sandbox keeps ' +
        "git's directory read-only, so worktree.setup cannot either; tasks must not need their content",
    );
  if (await usesLfs(repo, baseCommit)) {
    const lfs = await repo.git(['lfs', 'version'], { allowFail: true });
    if (lfs.code !== 0) {
      const required = await repo.git(['config', '--bool', 'filter.lfs.required'], { allowFail: true });
      if (required.stdout.trim() === 'true')
        throw userError(
          'GAFFER_BAD_INPUT',
          'the repository keeps files in Git LFS (filter=lfs in .gitattributes, filter.lfs.required) but git-lfs is not installed: git cannot check out a task worktree',
          'install git-lfs (https://git-lfs.com), then run again',
        );
      warnings.push(
        'the repository keeps files in Git LFS (filter=lfs in .gitattributes) but git-lfs is not installed: ' +
          'task worktrees get the LFS pointer files, not their content — install git-lfs for the real files',
      );
    }
  }
  return warnings;
}

/** Copies and links must be ignored by git in the main checkout (a linked folder stays a folder there and in the worktree). */
async function refuseUnignored(repo: Pick<Repo, 'git'>, plan: Plan): Promise<void> {
  const settings = plan.settings.worktree;
  const paths = settings === undefined ? [] : [...settings.copy, ...settings.link];
  if (paths.length === 0) return;
  // Tracked paths are never reported as ignored: a copy over one would be a change of it.
  const { stdout } = await repo.git(['check-ignore', '-z', '--stdin'], {
    allowFail: true,
    input: paths.map((p) => `${p}\0`).join(''),
  });
  const ignored = new Set(stdout.split('\0').filter(Boolean));
  const bad = paths.filter((p) => !ignored.has(p));
  if (bad.length === 0) return;
  throw userError(
    'GAFFER_BAD_INPUT',
    `worktree copy/link ${bad.map((p) => `"${p}"`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not ignored by git (or tracked): each task's commit would take ${bad.length === 1 ? 'it' : 'them'} with its changes`,
    'add them to .gitignore (or .git/info/exclude); a tracked file cannot be copied or linked',
  );
}

async function submodulePaths(repo: Pick<Repo, 'readFileAt'>, commit: string): Promise<string[]> {
  const text = await repo.readFileAt(commit, '.gitmodules');
  if (text === undefined) return [];
  return [...text.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)].map((m) => m[1] ?? '').filter(Boolean);
}

async function usesLfs(repo: Pick<Repo, 'git'>, commit: string): Promise<boolean> {
  const found = await repo.git(
    ['grep', '-q', '-F', 'filter=lfs', commit, '--', '.gitattributes', ':(glob)**/.gitattributes'],
    { allowFail: true },
  );
  return found.code === 0;
}
