import { describe, expect, it } from 'vitest';
import type { PlanIssue } from '../domain/index.js';
import { formatPlanIssue, validatePlan } from './index.js';

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

function issues(text: string): PlanIssue[] {
  const result = validatePlan(text, { file: 'plan.yaml' });
  if (result.ok) throw new Error('expected the plan to be rejected');
  return result.issues;
}

describe('validatePlan: duplicate ids', () => {
  it('points at the second occurrence and names the first one’s line', () => {
    const text = yaml(
      'tasks:',
      '  - id: a',
      '    title: first',
      '  - id: b',
      '    title: B',
      '  - id: a',
      '    title: again',
    );
    expect(issues(text)).toEqual([
      {
        file: 'plan.yaml',
        line: 6,
        column: 9,
        kind: 'duplicate-id',
        message: 'duplicate task id "a" (first defined on line 2)',
        hint: 'rename one of them: task ids must be unique',
      },
    ]);
  });
});

describe('validatePlan: unknown dependencies', () => {
  it('points at the list item and suggests a close id', () => {
    const text = yaml(
      'tasks:',
      '  - id: setup',
      '    title: S',
      '  - id: build',
      '    title: B',
      '    depends_on:',
      '      - setpu',
      '      - nothing-like-it',
    );
    expect(issues(text).map(formatPlanIssue)).toEqual([
      'plan.yaml:7:9: task "build" depends on unknown task "setpu"\n  hint: did you mean "setup"?',
      'plan.yaml:8:9: task "build" depends on unknown task "nothing-like-it"\n  hint: known task ids: setup, build',
    ]);
    expect(issues(text).map((issue) => issue.kind)).toEqual(['unknown-dependency', 'unknown-dependency']);
  });
});

describe('validatePlan: cycles', () => {
  it('reports a self-dependency at the entry', () => {
    expect(
      issues(
        yaml('tasks:', '  - id: a', '    title: A', '    depends_on: [b, a]', '  - id: b', '    title: B'),
      ),
    ).toEqual([
      {
        file: 'plan.yaml',
        line: 4,
        column: 21,
        kind: 'cycle',
        message: 'task "a" depends on itself: a → a',
        hint: 'remove "a" from its own depends_on',
      },
    ]);
  });

  it('prints the cycle starting at the task that comes first in the file', () => {
    // The search from `top` enters the loop at b; the message still starts at a.
    const text = yaml(
      'tasks:',
      '  - id: top',
      '    title: T',
      '    depends_on: [b]',
      '  - id: a',
      '    title: A',
      '    depends_on: [top2, b]',
      '  - id: top2',
      '    title: T2',
      '  - id: b',
      '    title: B',
      '    depends_on: [c]',
      '  - id: c',
      '    title: C',
      '    depends_on: [a]',
    );
    expect(issues(text).map(formatPlanIssue)).toEqual([
      'plan.yaml:7:24: dependency cycle: a → b → c → a\n  hint: remove one of these depends_on entries so the tasks form a DAG',
    ]);
  });

  it('reports separate cycles separately, together with other kinds of issues', () => {
    const text = yaml(
      'tasks:',
      '  - id: a',
      '    title: A',
      '    depends_on: [b]',
      '  - id: b',
      '    title: B',
      '    depends_on: [a, ghost]',
      '  - id: c',
      '    title: C',
      '    depends_on: [d]',
      '  - id: d',
      '    title: D',
      '    depends_on: [c]',
      '    colour: blue',
    );
    expect(
      issues(text).map((issue) => `${issue.line}:${issue.column} ${issue.kind}: ${issue.message}`),
    ).toEqual([
      '4:18 cycle: dependency cycle: a → b → a',
      '7:21 unknown-dependency: task "b" depends on unknown task "ghost"',
      '10:18 cycle: dependency cycle: c → d → c',
      '14:5 unknown-key: unknown key `colour` in task "d"',
    ]);
  });

  it('reports a loop closed by an `order` edge', () => {
    // b is in wave 1, so it waits for a (wave 0); a asking for b closes the loop.
    const text = yaml(
      'tasks:',
      '  - id: a',
      '    title: A',
      '    order: 0',
      '    depends_on: [b]',
      '  - id: b',
      '    title: B',
      '    order: 1',
    );
    expect(issues(text)).toEqual([
      expect.objectContaining({
        line: 5,
        column: 18,
        kind: 'cycle',
        message: 'dependency cycle through `order`: a → b → a',
      }),
    ]);
  });

  it('accepts depends_on edges that agree with the orders', () => {
    const text = yaml(
      'tasks:',
      '  - id: a',
      '    title: A',
      '    order: 0',
      '  - id: b',
      '    title: B',
      '    order: 1',
      '    depends_on: [a]',
    );
    expect(validatePlan(text).ok).toBe(true);
  });
});
