import { describe, expect, it } from 'vitest';
import { validatePlan } from './validate.js';

const plan = (worktree: string) => `agent: command
worktree:
${worktree}
tasks:
  - id: a
    title: A
`;

const issues = (text: string, exists: (p: string) => boolean = () => true) => {
  const result = validatePlan(text, { repoRoot: '/repo', pathExists: exists });
  return result.ok ? [] : result.issues.map((i) => ({ line: i.line, message: i.message, hint: i.hint }));
};

describe('the worktree block of a plan', () => {
  it('accepts copies, links, a setup and what to keep, and keeps them in the plan', () => {
    const text = plan(
      '  copy: [.env, ./.env.local]\n  link: [node_modules]\n  setup: npm ci --prefer-offline\n  setup_when_changed: [package-lock.json]\n  keep: [/node_modules]',
    );
    const result = validatePlan(text, { repoRoot: '/repo', pathExists: () => true });
    expect(result.ok && result.plan.settings.worktree).toEqual({
      copy: ['.env', './.env.local'],
      link: ['node_modules'],
      setup: 'npm ci --prefer-offline',
      setup_when_changed: ['package-lock.json'],
      keep: ['/node_modules'],
    });
    expect(validatePlan(plan('  setup: [python, -m, venv, .venv]')).ok).toBe(true);
  });

  it('refuses a copy or link that does not exist in the main checkout, at its line', () => {
    const found = issues(plan('  copy:\n    - .env\n  link:\n    - node_modules'), (p) => p === '/repo/.env');
    expect(found).toEqual([
      {
        line: 6,
        message: 'worktree.link "node_modules" does not exist in the main checkout (/repo/node_modules)',
        hint: 'create it first (e.g. run npm ci in the main checkout), or remove it from the plan',
      },
    ]);
  });

  it('refuses absolute, escaping, .git and .gaffer paths', () => {
    const found = issues(
      plan(
        '  copy: [/etc/passwd]\n  link: [../other/node_modules]\n  keep: [.gaffer/cache]\n  setup_when_changed: [.git/config]\n  setup: "true"',
      ),
    );
    expect(found.map((i) => i.message)).toEqual([
      'worktree.copy "/etc/passwd" is an absolute path',
      'worktree.link "../other/node_modules" leaves the repository',
      'worktree.keep ".gaffer/cache" is inside .gaffer/',
      'worktree.setup_when_changed ".git/config" is inside .git/',
    ]);
    expect(found.map((i) => i.line)).toEqual([3, 4, 5, 6]);
  });

  it('refuses a path both copied and linked, and setup_when_changed without a setup', () => {
    const found = issues(plan('  copy: [.env]\n  link: [./.env]\n  setup_when_changed: [package-lock.json]'));
    expect(found.map((i) => [i.line, i.message])).toEqual([
      [4, 'worktree.link "./.env" is already in worktree.copy'],
      [5, 'worktree.setup_when_changed without a worktree.setup'],
    ]);
  });

  it('refuses unknown keys with a suggestion, and a setup timeout that is not positive', () => {
    const found = issues(
      plan('  setup: npm ci\n  setup_when_change: [package-lock.json]\n  setup_timeout_s: 0'),
    );
    expect(found[0]).toMatchObject({ line: 4 });
    expect(found[0]?.hint).toContain('setup_when_changed');
    expect(found[1]).toMatchObject({ line: 5 });
  });
});
