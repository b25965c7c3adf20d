import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowlistedEnv } from '../../src/process/run-process.js';
import { evaluateWorktree, formatFailures, type VerifierCommand } from '../../src/verify/index.js';
import { waitFor } from '../support/wait-for.js';
import { tempDir } from './temp-dir.js';

const env = allowlistedEnv(process.env);
const nodeTest = (name: string, file: string): VerifierCommand => ({
  name,
  argv: [process.execPath, '--test', file],
  source: 'test',
});
const files = {
  'sum.mjs': 'export const sum = (a, b) => a + b;\n',
  'pass.test.mjs': [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    "import { sum } from './sum.mjs';",
    "test('adds', () => assert.equal(sum(1, 2), 3));",
  ].join('\n'),
  'fail.test.mjs': [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    "import { sum } from './sum.mjs';",
    "test('adds negatives', () => assert.equal(sum(-1, -2), 42));",
  ].join('\n'),
};

describe('evaluateWorktree', () => {
  it('is green when deliverables exist and the tests pass', async () => {
    const cwd = await tempDir(files);
    const outcome = await evaluateWorktree({
      cwd,
      env,
      verifiers: [nodeTest('test', 'pass.test.mjs')],
      deliverables: ['sum.mjs', '*.test.mjs'],
      timeoutMs: 20_000,
    });
    expect(outcome).toMatchObject({ passed: true, score: 1, confidence: 'green' });
    expect(outcome.results.map((result) => [result.name, result.passed])).toEqual([
      ['deliverables', true],
      ['test', true],
    ]);
  });

  it('runs every check after a failure and is red, with the failure ready for a rework prompt', async () => {
    const cwd = await tempDir(files);
    const outcome = await evaluateWorktree({
      cwd,
      env,
      verifiers: [nodeTest('unit', 'fail.test.mjs'), nodeTest('test', 'pass.test.mjs')],
      deliverables: ['sum.mjs', 'CHANGELOG.md'],
      timeoutMs: 20_000,
    });
    expect(outcome).toMatchObject({ passed: false, confidence: 'red' });
    expect(outcome.score).toBeCloseTo(1 / 3);
    expect(outcome.results.map((result) => [result.name, result.passed])).toEqual([
      ['deliverables', false],
      ['unit', false],
      ['test', true],
    ]);
    const prompt = formatFailures(outcome.results);
    expect(prompt).toContain('### deliverables failed');
    expect(prompt).toContain('CHANGELOG.md');
    expect(prompt).toContain('### unit failed (exit code 1)');
    expect(prompt).toMatch(/adds negatives/);
    expect(prompt).toMatch(/42/);
    expect(prompt).not.toContain('### test failed');
  });

  it('scores 1 when there is nothing to check', async () => {
    const outcome = await evaluateWorktree({
      cwd: await tempDir(),
      env,
      verifiers: [],
      deliverables: [],
      timeoutMs: 1000,
    });
    expect(outcome).toEqual({ passed: true, score: 1, confidence: 'green', results: [] });
  });

  it('stops when the signal aborts and never reports a pass', async () => {
    const cwd = await tempDir(files);
    const controller = new AbortController();
    const slow: VerifierCommand = {
      name: 'slow',
      argv: [
        process.execPath,
        '-e',
        'require("fs").writeFileSync("slow.flag", ""); setTimeout(() => {}, 60_000)',
      ],
      source: 'test',
    };
    const evaluating = evaluateWorktree({
      cwd,
      env,
      verifiers: [slow, nodeTest('test', 'pass.test.mjs')],
      deliverables: ['sum.mjs'],
      timeoutMs: 20_000,
      signal: controller.signal,
    });
    // Aborted while the slow check runs: ignoring it would time the check out and run the next one.
    await waitFor(() => existsSync(join(cwd, 'slow.flag')), 'the slow check to start');
    controller.abort();
    const outcome = await evaluating;
    expect(outcome).toMatchObject({ passed: false, confidence: 'red' });
    expect(outcome.results.map((result) => [result.name, result.passed])).toEqual([
      ['deliverables', true],
      ['slow', false],
    ]);

    const nothingRun = await evaluateWorktree({
      cwd,
      env,
      verifiers: [],
      deliverables: [],
      timeoutMs: 1000,
      signal: controller.signal,
    });
    expect(nothingRun).toMatchObject({ passed: false, confidence: 'red', results: [] });
  });
});
