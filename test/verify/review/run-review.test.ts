import { describe, expect, it } from 'vitest';
import type { Usage, VerifierResult } from '../../../src/domain/index.js';
import type { ReviewerAnswer } from '../../../src/verify/index.js';
import { evaluationSetback, judge, runReview, withReview } from '../../../src/verify/index.js';

const task = {
  id: 'hello',
  title: 'Write hello.txt',
  description: '',
  acceptance_criteria: ['hello.txt says hello', 'it ends with a newline'],
  deliverables: ['hello.txt'],
};
const usage = (n: number): Usage => ({ inputTokens: n, outputTokens: 1, cachedInputTokens: 0, costUsd: 0 });
const test = (passed: boolean): VerifierResult => ({
  name: 'test',
  command: 'npm test',
  passed,
  exitCode: passed ? 0 : 1,
  durationMs: 5,
  timedOut: false,
  output: passed ? 'ok' : 'FAIL hello.test.js: expected "hello\\n"',
});
const block = (value: unknown) => `Here you go.\n\`\`\`json\n${JSON.stringify(value)}\n\`\`\``;

/** A reviewer that plays `answers` in order and keeps the prompts it was given. */
function scripted(answers: ReviewerAnswer[]) {
  const prompts: string[] = [];
  return {
    prompts,
    ask: async (prompt: string) => {
      prompts.push(prompt);
      return answers[prompts.length - 1] ?? { text: '', error: 'no more answers' };
    },
  };
}

const review = (answers: ReviewerAnswer[], diff = '+hello') => {
  const reviewer = scripted(answers);
  const done = runReview({
    material: { task, diff, results: [test(true)] },
    ask: reviewer.ask,
    agent: 'api',
    model: 'judge',
  });
  return { reviewer, done };
};

describe('the review of an attempt', () => {
  it('asks again with the parse error, then counts every criterion as cannot_tell and never as green', async () => {
    const { reviewer, done } = review([
      { text: 'All good!', usage: usage(10) },
      { text: 'Still all good!', usage: usage(20) },
    ]);
    const result = await done;
    expect(result).toMatchObject({ status: 'unreadable', sessions: 2, usage: { inputTokens: 30 } });
    expect(result.criteria.map((c) => c.verdict)).toEqual(['cannot_tell', 'cannot_tell']);
    expect(reviewer.prompts[1]).toContain(
      'Your previous reply could not be read: the reply has no JSON block',
    );
    const outcome = withReview(judge([test(true)], []), result, { green_at: 0.8, yellow_at: 0.5 });
    expect(outcome.confidence).not.toBe('green');
    expect(outcome.passed).toBe(true);
  });

  it('takes a failed session like an unreadable reply: one more session', async () => {
    const { done } = review([
      { text: '', error: 'the model server answered 500' },
      {
        text: block({
          criteria: [
            { id: 1, verdict: 'met' },
            { id: 2, verdict: 'met' },
          ],
        }),
      },
    ]);
    expect(await done).toMatchObject({ status: 'parsed', sessions: 2 });
  });

  it('shows the task, its criteria by number, the checks and the diff, and says when the diff was cut', async () => {
    const { reviewer, done } = review(
      [{ text: block({ criteria: [{ id: 1, verdict: 'met' }] }) }],
      'x'.repeat(50_000),
    );
    const result = await done;
    expect(result.diffCut).toBe(true);
    const prompt = reviewer.prompts[0]!;
    expect(prompt).toContain('1. hello.txt says hello');
    expect(prompt).toContain('2. it ends with a newline');
    expect(prompt).toContain('- test (npm test): passed');
    expect(prompt).toMatch(/## Diff \(cut: the first 40000 of 50000 characters\)/);
    expect(prompt.length).toBeLessThan(45_000);
  });

  it('sends a red result back with the not-met criteria, the critiques and the failing output', async () => {
    const { done } = review([
      {
        text: block({
          criteria: [
            { id: 1, verdict: 'met', evidence: '+hello' },
            { id: 2, verdict: 'not_met', evidence: '\\ No newline at end of file' },
          ],
          critiques: [{ severity: 'major', text: 'hello.txt lacks its final newline' }],
        }),
      },
    ]);
    const outcome = withReview(judge([test(false)], []), await done, { green_at: 0.8, yellow_at: 0.5 });
    expect(outcome).toMatchObject({ passed: false, confidence: 'red' });
    const setback = evaluationSetback(outcome.results);
    expect(setback.reason).toBe('test, reviewer failed');
    expect(setback.feedback).toContain('FAIL hello.test.js');
    expect(setback.feedback).toContain('NOT MET: it ends with a newline — \\ No newline at end of file');
    expect(setback.feedback).toContain('critique (major): hello.txt lacks its final newline');
  });

  it('tells a rework the reviewer’s critiques even when only a check failed', async () => {
    const { done } = review([
      {
        text: block({
          criteria: [
            { id: 1, verdict: 'met' },
            { id: 2, verdict: 'met' },
          ],
          critiques: [{ severity: 'minor', text: 'name the constant' }],
        }),
      },
    ]);
    const outcome = withReview(judge([test(false)], []), await done, { green_at: 0.8, yellow_at: 0.5 });
    expect(outcome.confidence).toBe('red');
    const setback = evaluationSetback(outcome.results);
    expect(setback.reason).toBe('test failed');
    expect(setback.feedback).toContain("### The reviewer's notes");
    expect(setback.feedback).toContain('critique (minor): name the constant');
  });
});
