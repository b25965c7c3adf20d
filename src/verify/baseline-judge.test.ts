import { describe, expect, it } from 'vitest';
import type { VerifierResult } from '../domain/index.js';
import { baselineChecks } from './baseline-checks.js';
import { evaluationSetback, judge, NO_CHECKS_NOTE } from './evaluation-policy.js';

const result = (name: string, passed: boolean, command = `npm run ${name}`): VerifierResult => ({
  name,
  command,
  passed,
  exitCode: passed ? 0 : 1,
  durationMs: 1,
  timedOut: false,
  output: passed ? '' : `${name} broke`,
});

describe('judge against a baseline', () => {
  const baseline = [
    { name: 'lint', command: 'npm run lint', passed: false },
    { name: 'test', command: 'npm test', passed: true },
  ];

  it('does not fail a task on a check that already failed on the base, and says so (yellow, not green)', () => {
    const verdict = judge([result('lint', false), result('test', true, 'npm test')], [], { baseline });
    // A failure let through could hide new breakage in the same check: never better than yellow.
    expect(verdict).toMatchObject({ passed: true, confidence: 'yellow', score: 1 });
    expect(verdict.results.find((r) => r.name === 'lint')?.preexisting).toBe(true);
    expect(verdict.note).toMatch(/lint already failed on the base commit/);
    // Nothing of it is sent to the agent.
    expect(evaluationSetback(verdict.results).feedback).toBe('');
  });

  it('fails a task on a check that passed on the base and fails now', () => {
    const verdict = judge([result('lint', false), result('test', false, 'npm test')], [], { baseline });
    expect(verdict).toMatchObject({ passed: false, confidence: 'red' });
    const setback = evaluationSetback(verdict.results);
    expect(setback.reason).toBe('test failed');
    expect(setback.feedback).toContain('test broke');
    expect(setback.feedback).not.toContain('lint broke');
  });

  it('does not excuse a check whose command differs from the one the base ran', () => {
    const verdict = judge([result('lint', false, 'npm run lint:strict')], [], { baseline });
    expect(verdict.passed).toBe(false);
  });

  it('is yellow, not green, when the only checks were preexisting failures', () => {
    const verdict = judge([result('lint', false)], [], { baseline });
    expect(verdict).toMatchObject({ passed: true, confidence: 'yellow' });
    expect(verdict.note).toMatch(/^no check verified this work/);
  });

  it("without a baseline, a failure is the task's", () => {
    expect(judge([result('lint', false)], []).passed).toBe(false);
  });
});

describe('judge with no checks', () => {
  it('is yellow with the "no checks ran" note, and still passes', () => {
    expect(judge([], [])).toMatchObject({ passed: true, confidence: 'yellow', note: NO_CHECKS_NOTE });
    // Checks the repository has but the task's verifiers left out are named, not called missing.
    expect(judge([], [], { leftOut: ['test', 'lint'] })).toMatchObject({
      passed: true,
      confidence: 'yellow',
      note: "no checks ran: the plan's or the task's verifiers leave out test, lint",
    });
  });

  it('counts deliverables as no check of the repository', () => {
    const deliverables = { ...result('deliverables', true), command: 'deliverables: a.txt' };
    expect(judge([deliverables], [])).toMatchObject({ passed: true, confidence: 'yellow' });
  });

  it('counts a passing worktree setup as no check of the repository: installing verifies nothing', () => {
    const setup = { ...result('setup', true), command: 'npm ci' };
    expect(judge([setup], [])).toMatchObject({ passed: true, confidence: 'yellow', note: NO_CHECKS_NOTE });
  });

  it('is red when a protected path was touched, checks or not', () => {
    expect(judge([], ['config/prod.json'])).toMatchObject({ passed: false, confidence: 'red' });
  });
});

describe('baselineChecks', () => {
  const detected = [
    { name: 'lint', argv: ['npm', 'run', 'lint'], source: 'package.json' },
    { name: 'test', argv: ['npm', 'test'], source: 'package.json' },
  ];

  it('runs each check the tasks use once, with the longest time limit any task gives it', () => {
    const checks = baselineChecks(detected, { verifiers: { timeout_s: 10 } }, [
      { deliverables: ['a'] },
      { deliverables: [], verifiers: { timeout_s: 30, skip: ['lint'] } },
      { deliverables: [], verifiers: { commands: { e2e: 'node e2e.mjs' } } },
    ]);
    expect(checks.map((c) => [c.verifier.name, c.command, c.timeoutMs])).toEqual([
      ['lint', 'npm run lint', 10_000],
      ['test', 'npm test', 30_000],
      ['e2e', 'node e2e.mjs', 10_000],
    ]);
  });
});

describe('a preexisting failure that ends differently', () => {
  it('counts against the task: a check that failed with exit 1 on the base and crashes now got worse', () => {
    const base = [{ name: 'lint', command: 'npm run lint', passed: false, exitCode: 1 }];
    const crashed = { ...result('lint', false), exitCode: 2 };
    const verdict = judge([crashed], [], { baseline: base });
    expect(verdict.passed).toBe(false);
    expect(verdict.results[0]?.preexisting).toBeUndefined();
  });
});
