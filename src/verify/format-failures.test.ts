import { describe, expect, it } from 'vitest';
import type { VerifierResult } from '../domain/index.js';
import { formatFailures } from './format-failures.js';

const result = (overrides: Partial<VerifierResult>): VerifierResult => ({
  name: 'test',
  command: 'npm test',
  passed: false,
  exitCode: 1,
  durationMs: 1200,
  timedOut: false,
  output: 'FAIL a.test.ts',
  ...overrides,
});

describe('formatFailures', () => {
  it('has one section per failed verifier and leaves passed ones out', () => {
    const text = formatFailures([
      result({ name: 'lint', command: 'npm run lint', passed: true, exitCode: 0 }),
      result({}),
      result({
        name: 'build',
        command: 'cargo build',
        timedOut: true,
        exitCode: null,
        durationMs: 30_000,
        output: '',
      }),
    ]);
    expect(text).toBe(
      [
        '### test failed (exit code 1)',
        '',
        'Command: npm test',
        '',
        '```',
        'FAIL a.test.ts',
        '```',
        '',
        '### build failed (timed out after 30 s)',
        '',
        'Command: cargo build',
        '',
        '```',
        '(no output)',
        '```',
      ].join('\n'),
    );
  });

  it('uses a fence the output cannot close', () => {
    const text = formatFailures([result({ output: 'expected:\n```\ncode\n```' })]);
    expect(text).toContain('````\nexpected:\n```\ncode\n```\n````');
  });

  it('is empty when everything passed', () => {
    expect(formatFailures([result({ passed: true })])).toBe('');
  });
});
