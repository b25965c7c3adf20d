import { describe, expect, it } from 'vitest';
import { formatPlanIssue, validatePlan } from '../../../src/plan/index.js';

const plan = (...reviewer: string[]) =>
  [...reviewer, 'tasks:', '  - id: hello', '    title: Write hello.txt', ''].join('\n');

function problems(text: string): string[] {
  const result = validatePlan(text, { file: 'plan.yaml' });
  if (result.ok) throw new Error('expected the plan to be rejected');
  return result.issues.map(
    (issue) => `${issue.line}:${issue.column} ${issue.message}${issue.hint ? ` (${issue.hint})` : ''}`,
  );
}

describe('the plan’s reviewer key', () => {
  it('is off when absent, off when `none`, and fills its thresholds when given', () => {
    const settingsOf = (text: string) => {
      const result = validatePlan(text, { file: 'plan.yaml' });
      if (!result.ok) throw new Error(result.issues.map((i) => i.message).join('\n'));
      return result.plan.settings;
    };
    expect(settingsOf(plan()).reviewer).toBeUndefined();
    expect(settingsOf(plan('reviewer: none')).reviewer).toBe('none');
    expect(settingsOf(plan('reviewer: { model: judge }')).reviewer).toEqual({
      agent: 'api',
      model: 'judge',
      green_at: 0.8,
      yellow_at: 0.5,
    });
  });

  it('names an unknown key where it is, with the key meant', () => {
    expect(problems(plan('reviewer:', '  agent: api', '  gren_at: 0.9'))).toEqual([
      '3:3 unknown key `gren_at` in reviewer (did you mean `green_at`?)',
    ]);
  });

  it('refuses thresholds out of order, at yellow_at', () => {
    expect(problems(plan('reviewer:', '  green_at: 0.4', '  yellow_at: 0.6'))).toEqual([
      '3:14 reviewer.yellow_at: must not be above green_at (a score at or above green_at is green, at or above yellow_at yellow)',
    ]);
    expect(problems(plan('reviewer: { green_at: 1.5 }'))).toEqual([
      '1:23 reviewer.green_at must be at most 1',
    ]);
  });

  it('says what reviewer takes when it is neither none nor a mapping', () => {
    const [problem] = problems(plan('reviewer: off'));
    expect(problem).toMatch(/^1:11 reviewer must be `none` or a mapping, got a string \("off"\)/);
    expect(problem).toContain('reviewer: none');
    const text = validatePlan(plan('reviewer: { agent: 3 }'), { file: 'plan.yaml' });
    expect(!text.ok && formatPlanIssue(text.issues[0]!)).toMatch(
      /plan\.yaml:1:20.*reviewer\.agent must be a string/,
    );
  });
});
