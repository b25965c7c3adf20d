import { describe, expect, it } from 'vitest';
import { taskBranchName } from '../git/branch-names.js';
import { formatPlanIssue, validatePlan } from './index.js';

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

function messages(text: string): string[] {
  const result = validatePlan(text, { file: 'plan.yaml' });
  if (result.ok) throw new Error('expected the plan to be rejected');
  return result.issues.map(formatPlanIssue);
}

describe('validatePlan: task ids that cannot name a branch', () => {
  it('refuses ids the id pattern lets through but git does not, at the id, with a close id that works', () => {
    const text = yaml(
      'tasks:',
      '  - id: greet.lock',
      '    title: A',
      '  - id: a..b',
      '    title: B',
      '    depends_on: [greet.lock]',
      '  - id: fix.',
      '    title: C',
      '  - id: fine.1',
      '    title: D',
    );
    expect(messages(text)).toEqual([
      'plan.yaml:2:9: task id "greet.lock" cannot name a git branch (gaffer-tasks/<run>/greet.lock): part "greet.lock" ends with ".lock"\n  hint: rename it, e.g. "greet-lock": an id may not hold "..", end with "." or end with ".lock"',
      'plan.yaml:4:9: task id "a..b" cannot name a git branch (gaffer-tasks/<run>/a..b): it contains ".."\n  hint: rename it, e.g. "a.b": an id may not hold "..", end with "." or end with ".lock"',
      'plan.yaml:7:9: task id "fix." cannot name a git branch (gaffer-tasks/<run>/fix.): it ends with "."\n  hint: rename it, e.g. "fix": an id may not hold "..", end with "." or end with ".lock"',
    ]);
    // The ids suggested are ones a run can make branches of.
    for (const id of ['greet-lock', 'a.b', 'fix', 'fine.1'])
      expect(taskBranchName('run-1a2b3c', id)).toBe(`gaffer-tasks/run-1a2b3c/${id}`);
  });

  it('leaves ids the pattern refuses to the schema check: one issue each', () => {
    const result = validatePlan(yaml('tasks:', '  - id: -x.lock', '    title: A'));
    expect(result.ok ? [] : result.issues.map((i) => i.kind)).toEqual(['schema']);
  });
});
