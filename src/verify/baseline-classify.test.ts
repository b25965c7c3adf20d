import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowlistedEnv } from '../process/run-process.js';
import type { SetupFacts } from './baseline-classify.js';
import { classifyBaselineResult } from './baseline-classify.js';
import { inspectSetup } from './baseline-setup.js';
import { runVerifier } from './run-verifier.js';
import type { VerifierCommand } from './verifier-command.js';

const env = allowlistedEnv(process.env);

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gaffer-baseline-classify-'));
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  return dir;
}

/** Runs `argv` for real in `dir` and classifies its result with the facts `inspectSetup` finds there. */
async function classify(argv: string[], dir = dirWith({})) {
  const cmd: VerifierCommand = { name: 'lint', argv, source: 'test' };
  const result = await runVerifier(cmd, { cwd: dir, env, timeoutMs: 20_000 });
  return classifyBaselineResult(result, argv, await inspectSetup(dir, dir));
}

const node = process.execPath;

describe('classifyBaselineResult on real commands', () => {
  it('calls a check that ran and exited non-zero a failure, with allow_preexisting and skip as the way on', async () => {
    const verdict = await classify([node, '-e', 'console.error("2 lint errors"); process.exit(1)']);
    expect(verdict.kind).toBe('failed');
    expect(verdict).toMatchObject({ fix: expect.stringMatching(/allow_preexisting/) as string });
    expect(verdict).toMatchObject({ fix: expect.stringMatching(/"lint" to verifiers\.skip/) as string });
  });

  it('calls a binary that is not installed "cannot run" (spawn ENOENT), with an install hint', async () => {
    const verdict = await classify(['gaffer-no-such-linter-xyz', '--check']);
    expect(verdict).toMatchObject({
      kind: 'cannot-run',
      cause: 'command not found: gaffer-no-such-linter-xyz',
      fix: expect.stringMatching(/^install gaffer-no-such-linter-xyz/) as string,
    });
  });

  it('calls a shell that cannot find a tool (exit 127) "cannot run"', async () => {
    const verdict = await classify(['sh', '-c', 'gaffer-missing-tool-xyz --fix']);
    expect(verdict).toMatchObject({
      kind: 'cannot-run',
      cause: 'command not found: gaffer-missing-tool-xyz',
      fix: expect.stringMatching(/install gaffer-missing-tool-xyz/) as string,
    });
  });

  it('calls a missing package "cannot run: dependencies not installed", with the lockfile\'s setup command', async () => {
    const dir = dirWith({
      'lint.mjs': "import 'gaffer-absent-package-xyz';\n",
      'package-lock.json': '{}\n',
    });
    const verdict = await classify([node, 'lint.mjs'], dir);
    expect(verdict).toMatchObject({
      kind: 'cannot-run',
      cause: 'cannot find module gaffer-absent-package-xyz: dependencies not installed',
      fix: expect.stringMatching(/^run `npm ci` in /) as string,
    });
  });

  it('calls a missing relative module a failure of the code, not of the setup', async () => {
    const dir = dirWith({ 'lint.mjs': "import './gone.mjs';\n" });
    expect((await classify([node, 'lint.mjs'], dir)).kind).toBe('failed');
  });

  it('names `npm ci` for an npm script whose tool is not installed because node_modules is missing', async () => {
    const dir = dirWith({
      'package.json': JSON.stringify({
        scripts: { lint: 'gaffer-missing-linter-xyz .' },
        devDependencies: { 'gaffer-missing-linter-xyz': '1.0.0' },
      }),
      'package-lock.json': '{}\n',
    });
    expect(await classify(['npm', 'run', 'lint'], dir)).toMatchObject({
      kind: 'cannot-run',
      cause:
        'command not found: gaffer-missing-linter-xyz; the dependencies are not installed (no node_modules)',
      fix: expect.stringMatching(/^run `npm ci` in /) as string,
    });
  });

  it('names the setup command for a script whose tool is missing while node_modules is not installed', async () => {
    const dir = dirWith({
      'package.json': JSON.stringify({ scripts: { lint: 'eslint .' }, devDependencies: { eslint: '^9' } }),
      'pnpm-lock.yaml': '',
    });
    const facts = await inspectSetup(dir, dir);
    expect(facts).toMatchObject({ nodeModulesMissing: true, nodeSetup: 'pnpm install --frozen-lockfile' });
    const failed = {
      name: 'lint',
      command: 'pnpm run lint',
      passed: false,
      exitCode: 127,
      durationMs: 5,
      timedOut: false,
      output: '> eslint .\nsh: 1: eslint: not found\n ELIFECYCLE  Command failed.',
    };
    expect(classifyBaselineResult(failed, ['pnpm', 'run', 'lint'], facts)).toMatchObject({
      kind: 'cannot-run',
      cause: 'command not found: eslint; the dependencies are not installed (no node_modules)',
      fix: expect.stringMatching(/^run `pnpm install --frozen-lockfile` in /) as string,
    });
    // The same script, its output saying it ran and failed: a failure, node_modules or not.
    const ran = { ...failed, exitCode: 1, output: '/src/a.js\n  3:7  error  no-unused-vars' };
    expect(classifyBaselineResult(ran, ['pnpm', 'run', 'lint'], facts).kind).toBe('failed');
  });
});

describe('classifyBaselineResult on recorded results', () => {
  const facts: SetupFacts = {
    repoRoot: '/repo',
    nodeModulesMissing: false,
    nodeSetup: 'npm ci',
    pythonSetup: 'pip install -r requirements.txt',
  };
  const result = (output: string, exitCode: number | null = 1, timedOut = false) => ({
    name: 'test',
    command: 'pytest',
    passed: false,
    exitCode,
    durationMs: 1,
    timedOut,
    output,
  });

  it('passes a passed result through', () => {
    expect(classifyBaselineResult({ ...result(''), passed: true, exitCode: 0 }, ['pytest'], facts)).toEqual({
      kind: 'passed',
    });
  });

  it('names the Python setup command for a missing Python module', () => {
    expect(
      classifyBaselineResult(result("ModuleNotFoundError: No module named 'requests'"), ['pytest'], facts),
    ).toMatchObject({
      kind: 'cannot-run',
      cause: 'no Python module requests: dependencies not installed',
      fix: expect.stringMatching(/^run `pip install -r requirements.txt` in \/repo/) as string,
    });
  });

  it('calls a timeout a failure and points at verifiers.timeout_s', () => {
    expect(
      classifyBaselineResult(result('gaffer: test timed out', null, true), ['pytest'], facts),
    ).toMatchObject({
      kind: 'failed',
      fix: expect.stringMatching(/verifiers\.timeout_s/) as string,
    });
  });
});
