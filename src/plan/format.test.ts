import { describe, expect, it } from 'vitest';
import { formatPlanIssue } from './index.js';

describe('formatPlanIssue', () => {
  it('prints file:line:column, the message, and the hint on an indented line', () => {
    expect(
      formatPlanIssue({
        file: 'plan.yaml',
        line: 3,
        column: 7,
        kind: 'cycle',
        message: 'dependency cycle: a → b → a',
        hint: 'remove one',
      }),
    ).toBe('plan.yaml:3:7: dependency cycle: a → b → a\n  hint: remove one');
  });

  it('prints a single line when there is no hint', () => {
    expect(
      formatPlanIssue({
        file: 'p.yaml',
        line: 1,
        column: 1,
        kind: 'schema',
        message: 'the plan file is empty',
      }),
    ).toBe('p.yaml:1:1: the plan file is empty');
  });
});
