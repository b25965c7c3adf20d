import { describe, expect, it } from 'vitest';
import type { PlanIssue } from '../domain/index.js';
import { validatePlan, type ValidateOptions } from './index.js';

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

function issues(text: string, options?: ValidateOptions): PlanIssue[] {
  const result = validatePlan(text, options);
  if (result.ok) throw new Error('expected the plan to be rejected');
  return result.issues;
}

const brief = (list: PlanIssue[]) =>
  list.map((issue) => `${issue.line}:${issue.column} ${issue.kind}: ${issue.message}`);

describe('validatePlan: paths outside the repository', () => {
  const text = yaml(
    'tasks:',
    '  - id: a',
    '    title: A',
    '    deliverables:',
    '      - /repo/src/a.ts',
    '      - /etc/passwd',
    '      - src/../../elsewhere.ts',
    '      - src/./ok.ts',
    '    context_files: ["../notes.md", "docs/*.md"]',
  );

  it('rejects absolute paths and `..` escapes in deliverables and context files', () => {
    expect(brief(issues(text, { repoRoot: '/repo' }))).toEqual([
      '5:9 deliverable-outside: task "a": deliverable "/repo/src/a.ts" is an absolute path; paths are relative to the repository root',
      '6:9 deliverable-outside: task "a": deliverable "/etc/passwd" is an absolute path; paths are relative to the repository root',
      '7:9 deliverable-outside: task "a": deliverable "src/../../elsewhere.ts" leaves the repository /repo',
      '9:21 deliverable-outside: task "a": context file "../notes.md" leaves the repository /repo',
    ]);
  });

  it('offers the repository-relative spelling of an absolute path inside the repository', () => {
    const hints = issues(text, { repoRoot: '/repo' }).map((issue) => issue.hint);
    expect(hints[0]).toBe('write it as "src/a.ts"');
    expect(hints[1]).toBe('write the path relative to the repository root');
  });

  it('applies the same rules without a repository root', () => {
    expect(issues(text).map((issue) => `${issue.line}:${issue.column}`)).toEqual([
      '5:9',
      '6:9',
      '7:9',
      '9:21',
    ]);
  });

  it('rejects Windows absolute paths too', () => {
    expect(
      brief(issues(yaml('tasks:', '  - id: a', '    title: A', '    deliverables: ["C:\\\\src\\\\a.ts"]'))),
    ).toEqual([
      '4:20 deliverable-outside: task "a": deliverable "C:\\src\\a.ts" is an absolute path; paths are relative to the repository root',
    ]);
  });
});

describe('validatePlan: protected deliverables', () => {
  it('rejects deliverables under .git, .gaffer and the plan’s protected paths, and allows reading them', () => {
    const text = yaml(
      'protected_paths: ["package-lock.json", "secrets/**"]',
      'tasks:',
      '  - id: a',
      '    title: A',
      '    deliverables: [.git/hooks/pre-commit, ./.gaffer/state.json, package-lock.json, secrets/key.pem, src/ok.ts]',
      '    context_files: [package-lock.json, .gaffer/notes.md]',
    );
    const found = issues(text, { repoRoot: '/repo' });
    expect(brief(found)).toEqual([
      '5:20 deliverable-protected: task "a": deliverable ".git/hooks/pre-commit" is a protected path (matches ".git/**")',
      '5:43 deliverable-protected: task "a": deliverable "./.gaffer/state.json" is a protected path (matches ".gaffer/**")',
      '5:65 deliverable-protected: task "a": deliverable "package-lock.json" is a protected path (matches "package-lock.json")',
      '5:84 deliverable-protected: task "a": deliverable "secrets/key.pem" is a protected path (matches "secrets/**")',
    ]);
    expect(found[0]?.hint).toBe('.git/ and .gaffer/ are always protected: deliver the file somewhere else');
    expect(found[2]?.hint).toBe(
      'deliver the file somewhere else, or remove "package-lock.json" from protected_paths',
    );
  });

  it('matches dot-files inside protected globs', () => {
    const text = yaml(
      'protected_paths: ["config/**"]',
      'tasks: [{ id: a, title: A, deliverables: [config/.env] }]',
    );
    expect(issues(text).map((issue) => issue.kind)).toEqual(['deliverable-protected']);
  });
});
