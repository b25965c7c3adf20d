import { describe, expect, it } from 'vitest';
import type { VerifierResult } from '../domain/index.js';
import type { BaselineEntry } from './baseline-compare.js';
import { markPreexisting } from './baseline-compare.js';
import { evaluationSetback, judge } from './evaluation-policy.js';
import { recordedFailures } from './failure-markers.js';

const BASE_ROOT = '/repo/.gaffer/baseline/worktrees/run';
const TASK_ROOT = '/repo/.gaffer/worktrees/run/feature';

/** eslint's stylish output for the given `[file, line, message]` errors, as run in `root`. */
function stylish(root: string, errors: readonly [string, number, string][]): string {
  const lines = errors.flatMap(([file, line, message]) => [
    `${root}/${file}`,
    `  ${line}:7  error  ${message}`,
    '',
  ]);
  const n = errors.length;
  return [...lines, `✖ ${n} problem${n === 1 ? '' : 's'} (${n} error${n === 1 ? '' : 's'}, 0 warnings)`].join(
    '\n',
  );
}

const UNUSED_X = "'x' is assigned a value but never used  no-unused-vars";
const UNUSED_Y = "'y' is assigned a value but never used  no-unused-vars";
const NO_VAR = 'Unexpected var, use let or const instead  no-var';

const lint = (output: string, exitCode = 1): VerifierResult => ({
  name: 'lint',
  command: 'npm run lint',
  passed: false,
  exitCode,
  durationMs: 1,
  timedOut: false,
  output,
});

/** The base's lint entry as `runBaseline` records it: its markers and count from its output. */
function baseLint(output: string): BaselineEntry {
  return {
    name: 'lint',
    command: 'npm run lint',
    passed: false,
    exitCode: 1,
    ...recordedFailures(output, { roots: [BASE_ROOT] }),
  };
}

const BASE = stylish(BASE_ROOT, [
  ['src/a.js', 3, UNUSED_X],
  ['src/b.js', 10, UNUSED_Y],
]);
const options = { roots: [TASK_ROOT] };

describe('markPreexisting compares a failing check failure by failure', () => {
  it('lets the same failures through, even moved to other lines', () => {
    const task = stylish(TASK_ROOT, [
      ['src/a.js', 14, UNUSED_X],
      ['src/b.js', 2, UNUSED_Y],
    ]);
    const [result] = markPreexisting([lint(task)], [baseLint(BASE)], options);
    expect(result).toMatchObject({ preexisting: true, output: task });
  });

  it('lets fewer failures through', () => {
    const task = stylish(TASK_ROOT, [['src/b.js', 10, UNUSED_Y]]);
    expect(markPreexisting([lint(task)], [baseLint(BASE)], options)[0]?.preexisting).toBe(true);
  });

  it('keeps a new failure with the same exit code the task’s, and its output says what is new', () => {
    const task = stylish(TASK_ROOT, [
      ['src/a.js', 3, UNUSED_X],
      ['src/b.js', 10, UNUSED_Y],
      ['src/new.js', 1, NO_VAR],
    ]);
    const verdict = judge([lint(task)], [], { baseline: [baseLint(BASE)], ...options });

    expect(verdict.passed).toBe(false);
    const [result] = verdict.results;
    expect(result?.preexisting).toBeUndefined();
    expect(result?.output).toMatch(
      /^worse than on the base commit: 1 new failure\(s\):\n {2}src\/new\.js: Unexpected var, use let or const instead no-var\n\(3 failures, 2 on the base commit\)\n/,
    );
    expect(result?.output).toContain(task);
    // The agent is sent the note with the output.
    const setback = evaluationSetback(verdict.results);
    expect(setback.reason).toBe('lint failed');
    expect(setback.feedback).toContain('1 new failure(s):\n  src/new.js: Unexpected var');
  });

  it('keeps a check the task’s when its count grew, though the base recorded no markers (its output was cut)', () => {
    const base: BaselineEntry = { ...baseLint(BASE), markers: undefined, failureCount: 2 };
    const task = stylish(TASK_ROOT, [
      ['src/a.js', 3, UNUSED_X],
      ['src/a.js', 4, UNUSED_X],
      ['src/b.js', 10, UNUSED_Y],
    ]);
    const [result] = markPreexisting([lint(task)], [base], options);
    expect(result?.preexisting).toBeUndefined();
    expect(result?.output).toMatch(/^worse than on the base commit: 3 failures, 2 on the base commit\n/);
  });

  it('lists twenty new failures and counts the rest', () => {
    const errors = Array.from({ length: 25 }, (_, i): [string, number, string] => [
      `src/f${i}.js`,
      1,
      NO_VAR,
    ]);
    const [result] = markPreexisting([lint(stylish(TASK_ROOT, errors))], [baseLint(BASE)], options);
    const note = result?.output.split('\n\n')[0] ?? '';
    expect(note).toMatch(/^worse than on the base commit: 25 new failure\(s\):/);
    expect(note.match(/^ {2}src\/f\d+\.js/gm)).toHaveLength(20);
    expect(note).toContain('  … and 5 more');
  });

  it('judges a base entry without markers or count (an older baseline) by its exit code alone, as before', () => {
    const old: BaselineEntry = { name: 'lint', command: 'npm run lint', passed: false, exitCode: 1 };
    const task = stylish(TASK_ROOT, [
      ['src/a.js', 3, UNUSED_X],
      ['src/new.js', 1, NO_VAR],
      ['src/newer.js', 1, NO_VAR],
    ]);
    expect(markPreexisting([lint(task)], [old], options)[0]).toMatchObject({
      preexisting: true,
      output: task,
    });
  });

  it('still counts another exit code against the task', () => {
    expect(markPreexisting([lint(BASE, 2)], [baseLint(BASE)])[0]?.preexisting).toBeUndefined();
  });
});
