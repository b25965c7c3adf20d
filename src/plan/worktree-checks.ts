import path from 'node:path';
import { isObject } from '../domain/index.js';
import type { PlanIssue } from '../domain/index.js';
import { issueAt, type IssueContext } from './issue.js';
import type { PlanPath } from './source-map.js';

export interface WorktreeCheckOptions {
  /** The main checkout: `copy` and `link` sources are looked for in it. */
  repoRoot?: string;
  /** Whether a path exists; without it (or `repoRoot`) existence is not checked (the pure validation of a text). */
  pathExists?: (p: string) => boolean;
}

type PathKey = 'copy' | 'link' | 'setup_when_changed' | 'keep';

/** Gaffer's state and git's own: never copied, linked, hashed or kept. */
const FORBIDDEN_ROOTS = ['.git', '.gaffer'];

/**
 * The paths of the plan's `worktree:` block: relative to the repository root and inside it,
 * never `.git/` or `.gaffer/`, a path copied or linked only once and existing in the main
 * checkout (when the file system may be asked), and `setup_when_changed` only with a `setup`.
 * `keep` entries are `git clean --exclude` patterns, so a leading `/` (anchored) is allowed there.
 */
export function worktreeIssues(
  context: IssueContext,
  raw: unknown,
  options: WorktreeCheckOptions = {},
): PlanIssue[] {
  if (!isObject(raw) || !isObject(raw.worktree)) return [];
  const block = raw.worktree;
  const issues: PlanIssue[] = [];
  const placed = new Map<string, PathKey>();
  for (const key of ['copy', 'link', 'setup_when_changed', 'keep'] as const) {
    const list = block[key];
    if (!Array.isArray(list)) continue;
    list.forEach((value: unknown, index) => {
      if (typeof value !== 'string' || value === '') return; // the schema reports these
      const where: PlanPath = ['worktree', key, index];
      const judged = judgeWorktreePath(key, value);
      if ('message' in judged) {
        issues.push(issueAt(context, where, 'worktree-path', judged.message, judged.hint));
        return;
      }
      if (key !== 'copy' && key !== 'link') return;
      const earlier = placed.get(judged.relative);
      if (earlier !== undefined) {
        issues.push(
          issueAt(
            context,
            where,
            'worktree-path',
            `worktree.${key} "${value}" is already in worktree.${earlier}`,
            'a path is either copied or linked, once',
          ),
        );
        return;
      }
      placed.set(judged.relative, key);
      const { repoRoot, pathExists } = options;
      if (repoRoot === undefined || pathExists === undefined) return;
      const source = path.join(repoRoot, judged.relative);
      if (!pathExists(source))
        issues.push(
          issueAt(
            context,
            where,
            'worktree-path',
            `worktree.${key} "${value}" does not exist in the main checkout (${source})`,
            key === 'link'
              ? 'create it first (e.g. run npm ci in the main checkout), or remove it from the plan'
              : 'create it first, or remove it from the plan',
          ),
        );
    });
  }
  if (block.setup === undefined && Array.isArray(block.setup_when_changed) && block.setup_when_changed.length)
    issues.push(
      issueAt(
        context,
        ['worktree', 'setup_when_changed'],
        'worktree-setup',
        'worktree.setup_when_changed without a worktree.setup',
        'add the setup command it decides about (e.g. setup: npm ci --prefer-offline), or remove it',
        'key',
      ),
    );
  return issues;
}

/** A path of `worktree:` as Gaffer uses it (POSIX, normalised), or why it cannot be one. */
export function judgeWorktreePath(
  key: PathKey,
  value: string,
): { relative: string } | { message: string; hint: string } {
  const label = `worktree.${key} "${value}"`;
  // An anchored `keep` pattern (`/node_modules`) is git's syntax, not an absolute path.
  const text = key === 'keep' && value.startsWith('/') && !value.startsWith('//') ? value.slice(1) : value;
  if (path.posix.isAbsolute(text) || path.win32.isAbsolute(text))
    return {
      message: `${label} is an absolute path`,
      hint: 'paths are relative to the repository root (the main checkout), e.g. .env or node_modules',
    };
  const relative = path.posix.normalize(text.replaceAll('\\', '/')).replace(/\/+$/, '');
  if (relative === '..' || relative.startsWith('../'))
    return {
      message: `${label} leaves the repository`,
      hint: 'remove the ".." segments: only paths inside the repository can be copied, linked or kept',
    };
  if (relative === '.' || relative === '')
    return { message: `${label} names the whole repository`, hint: 'name the file or folder itself' };
  const root = relative.split('/')[0] ?? '';
  if (FORBIDDEN_ROOTS.includes(root))
    return {
      message: `${label} is inside ${root}/`,
      hint: '.git/ and .gaffer/ belong to git and Gaffer: they are never copied, linked or kept',
    };
  return { relative };
}
