import { describe, expect, it } from 'vitest';
import type { CriterionVerdict, Critique } from '../../../src/domain/index.js';
import { DEFAULT_THRESHOLDS, scoreEvaluation } from '../../../src/verify/index.js';

const allPassed = { counted: 3, passed: 3 };
const review = (
  verdicts: CriterionVerdict[],
  critiques: Critique[] = [],
  status: 'parsed' | 'unreadable' = 'parsed',
) => ({
  status,
  criteria: verdicts.map((verdict, i) => ({ criterion: `criterion ${i + 1}`, verdict, evidence: '' })),
  critiques,
});
const score = (input: Partial<Parameters<typeof scoreEvaluation>[0]>) =>
  scoreEvaluation({ checks: allPassed, thresholds: DEFAULT_THRESHOLDS, ...input });

describe('the confidence formula', () => {
  it('without a reviewer is the checks’ verdict: green when all pass, red with the pass ratio when one fails', () => {
    expect(score({})).toEqual({ score: 1, confidence: 'green', reasons: [] });
    expect(score({ checks: { counted: 4, passed: 3 } })).toMatchObject({ score: 0.75, confidence: 'red' });
  });

  it('stays yellow when no check verified the work and there is no reviewer, as before', () => {
    expect(score({ checks: { counted: 0, passed: 0, unverified: 'no checks ran' } })).toEqual({
      score: 1,
      confidence: 'yellow',
      reasons: ['no checks ran'],
    });
  });

  it('is green when every criterion is met and the checks pass', () => {
    expect(score({ review: review(['met', 'met']) })).toMatchObject({ score: 1, confidence: 'green' });
  });

  it('is red whenever a check fails, whatever the reviewer says', () => {
    expect(score({ checks: { counted: 10, passed: 9 }, review: review(['met']) })).toMatchObject({
      confidence: 'red',
    });
  });

  it('is red when a criterion is not met, even with a score above green_at', () => {
    const result = score({ review: review(['met', 'met', 'met', 'met', 'met', 'not_met']) });
    expect(result.score).toBeGreaterThan(DEFAULT_THRESHOLDS.green_at);
    expect(result.confidence).toBe('red');
  });

  it('weighs cannot_tell as half a pass and takes critiques off by severity', () => {
    expect(score({ review: review(['met', 'cannot_tell']) })).toMatchObject({
      score: 0.75,
      confidence: 'yellow',
    });
    expect(score({ review: review(['met'], [{ severity: 'major', text: 'x' }]) }).score).toBeCloseTo(0.85);
    expect(score({ review: review(['met'], [{ severity: 'minor', text: 'x' }]) }).score).toBeCloseTo(0.97);
    expect(score({ review: review(['met'], [{ severity: 'critical', text: 'x' }]) })).toMatchObject({
      score: 0.5,
      confidence: 'yellow',
    });
    const two = [
      { severity: 'critical', text: 'a' },
      { severity: 'critical', text: 'b' },
    ] as Critique[];
    expect(score({ review: review(['met'], two) })).toMatchObject({ score: 0, confidence: 'red' });
  });

  it('multiplies the checks’ pass ratio into the score', () => {
    expect(score({ checks: { counted: 4, passed: 2 }, review: review(['met']) }).score).toBe(0.5);
  });

  it('follows the plan’s thresholds', () => {
    const strict = { green_at: 0.99, yellow_at: 0.9 };
    expect(
      score({ review: review(['met'], [{ severity: 'minor', text: 'x' }]), thresholds: strict }),
    ).toMatchObject({
      confidence: 'yellow',
    });
    expect(
      score({ review: review(['met'], [{ severity: 'major', text: 'x' }]), thresholds: strict }),
    ).toMatchObject({
      confidence: 'red',
    });
  });

  it('never makes an unreadable review green, even for a task without criteria', () => {
    expect(score({ review: review([], [], 'unreadable') })).toMatchObject({ score: 1, confidence: 'yellow' });
    expect(score({ review: review(['cannot_tell', 'cannot_tell'], [], 'unreadable') })).toMatchObject({
      score: 0.5,
      confidence: 'yellow',
    });
  });

  it('keeps a pass that verified nothing yellow even when the reviewer is satisfied', () => {
    expect(
      score({ checks: { counted: 0, passed: 0, unverified: 'no checks ran' }, review: review(['met']) }),
    ).toMatchObject({ confidence: 'yellow', reasons: ['no checks ran'] });
  });
});
