import path from 'node:path';
import picomatch from 'picomatch';
import { ALWAYS_PROTECTED, type PlanIssue } from '../domain/index.js';
import { issueAt, type IssueContext } from './issue.js';
import type { LooseItem, LoosePlan, LooseTask } from './loose-plan.js';

type Verdict = { inside: true; relative: string } | { inside: false; message: string; hint: string };

/**
 * Deliverables and context files must stay inside the repository, and no deliverable may be
 * a protected path: an agent asked to produce it would be stopped by the guard every time.
 * Path arithmetic only; the file system is never touched.
 */
export function pathIssues(context: IssueContext, plan: LoosePlan, repoRoot?: string): PlanIssue[] {
  const matchers = [...ALWAYS_PROTECTED, ...plan.protectedPaths].map((pattern, index) => ({
    pattern,
    always: index < ALWAYS_PROTECTED.length,
    matches: picomatch(pattern, { dot: true }),
  }));
  const issues: PlanIssue[] = [];
  for (const task of plan.tasks) {
    for (const [key, items] of [
      ['deliverables', task.deliverables],
      ['context_files', task.contextFiles],
    ] as const) {
      for (const item of items) {
        const where = ['tasks', task.index, key, item.index];
        const verdict = judge(item.value, repoRoot);
        if (!verdict.inside) {
          const message = `${describe(task, key, item)} ${verdict.message}`;
          issues.push(issueAt(context, where, 'deliverable-outside', message, verdict.hint));
          continue;
        }
        if (key !== 'deliverables') continue;
        const hit = matchers.find((matcher) => matcher.matches(verdict.relative));
        if (hit === undefined) continue;
        issues.push(
          issueAt(
            context,
            where,
            'deliverable-protected',
            `${describe(task, key, item)} is a protected path (matches "${hit.pattern}")`,
            hit.always
              ? '.git/ and .gaffer/ are always protected: deliver the file somewhere else'
              : `deliver the file somewhere else, or remove "${hit.pattern}" from protected_paths`,
          ),
        );
      }
    }
  }
  return issues;
}

function judge(value: string, repoRoot: string | undefined): Verdict {
  if (path.posix.isAbsolute(value) || path.win32.isAbsolute(value)) {
    const relative = repoRoot === undefined ? undefined : path.relative(repoRoot, value);
    const within = relative !== undefined && !escapes(relative) && !path.isAbsolute(relative);
    return {
      inside: false,
      message: 'is an absolute path; paths are relative to the repository root',
      hint: within ? `write it as "${toPosix(relative)}"` : 'write the path relative to the repository root',
    };
  }
  const relative =
    repoRoot === undefined
      ? path.posix.normalize(value)
      : toPosix(path.relative(repoRoot, path.resolve(repoRoot, value)) || '.');
  if (escapes(relative)) {
    return {
      inside: false,
      message: repoRoot === undefined ? 'leaves the repository' : `leaves the repository ${repoRoot}`,
      hint: 'remove the ".." segments: agents only work inside the repository',
    };
  }
  return { inside: true, relative: relative.replace(/^(\.\/)+/, '') };
}

function escapes(relative: string): boolean {
  return relative === '..' || relative.startsWith('../') || relative.startsWith('..\\');
}

function toPosix(value: string): string {
  return value.split(path.sep).join('/');
}

function describe(task: LooseTask, key: 'deliverables' | 'context_files', item: LooseItem): string {
  const owner = task.id === undefined ? `task #${task.index + 1}` : `task "${task.id}"`;
  const noun = key === 'deliverables' ? 'deliverable' : 'context file';
  return `${owner}: ${noun} "${item.value}"`;
}
