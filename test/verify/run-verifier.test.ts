import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowlistedEnv } from '../../src/process/run-process.js';
import { runVerifier } from '../../src/verify/index.js';
import { waitFor } from '../support/wait-for.js';
import { tempDir } from './temp-dir.js';

const env = allowlistedEnv(process.env);
const node = (name: string, code: string) => ({ name, argv: [process.execPath, '-e', code], source: 'test' });

/** Alive and not a zombie waiting for a reaper (PID 1 in a container may never reap it). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('runVerifier', () => {
  it('passes on exit code 0 and keeps the output', async () => {
    const cwd = await tempDir();
    const result = await runVerifier(node('test', 'console.log("all 3 tests passed")'), {
      cwd,
      env,
      timeoutMs: 10_000,
    });
    expect(result).toMatchObject({ name: 'test', passed: true, exitCode: 0, timedOut: false });
    expect(result.output).toBe('all 3 tests passed');
    expect(result.command).toContain(`-e 'console.log("all 3 tests passed")'`);
  });

  it('fails on a non-zero exit with stdout and stderr combined', async () => {
    const cwd = await tempDir();
    const code = 'console.log("running"); console.error("\\u001b[31mFAIL\\u001b[0m adds"); process.exit(3)';
    const result = await runVerifier(node('lint', code), { cwd, env, timeoutMs: 10_000 });
    expect(result).toMatchObject({ name: 'lint', passed: false, exitCode: 3, timedOut: false });
    expect(result.output).toContain('running');
    expect(result.output).toContain('FAIL adds');
  });

  it('runs in cwd with exactly the given environment', async () => {
    const cwd = await tempDir({ 'marker.txt': 'here' });
    const code =
      'const fs = require("fs"); console.log(fs.readFileSync("marker.txt", "utf8"), process.env.ONLY_THIS, process.env.VITEST ?? "none")';
    const result = await runVerifier(node('test', code), {
      cwd,
      env: { ...env, ONLY_THIS: 'yes' },
      timeoutMs: 10_000,
    });
    expect(result.output).toBe('here yes none');
  });

  it('kills the whole process tree on timeout', async () => {
    const cwd = await tempDir();
    const code = [
      'const { spawn } = require("child_process");',
      'const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });',
      'console.log("grandchild " + child.pid);',
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const result = await runVerifier(node('test', code), { cwd, env, timeoutMs: 700 });
    expect(result).toMatchObject({ passed: false, timedOut: true, exitCode: null });
    expect(result.output).toMatch(/timed out after 700 ms/);
    const pid = Number(/grandchild (\d+)/.exec(result.output)?.[1]);
    expect(pid).toBeGreaterThan(0);
    // A grandchild left alive would keep this waiting until the test's timeout.
    await waitFor(() => !isAlive(pid), `the grandchild ${pid} to be gone`);
  });

  it('reports a missing binary as a failed result, not a throw', async () => {
    const cwd = await tempDir();
    const cmd = { name: 'lint', argv: ['gaffer-no-such-linter', '.'], source: 'test' };
    const result = await runVerifier(cmd, { cwd, env, timeoutMs: 10_000 });
    expect(result).toMatchObject({ name: 'lint', passed: false, exitCode: null, timedOut: false });
    expect(result.output).toMatch(/command not found: gaffer-no-such-linter/);
  });

  it('says so when the directory is missing', async () => {
    const cwd = `${await tempDir()}/gone`;
    const result = await runVerifier(node('test', ''), { cwd, env, timeoutMs: 10_000 });
    expect(result.passed).toBe(false);
    expect(result.output).toMatch(/directory .*gone does not exist/);
  });

  // A check that ignored the abort would run until its 10 s timeout and report timedOut.
  it('stops when aborted and reports a cancelled, failed result', async () => {
    const cwd = await tempDir();
    const controller = new AbortController();
    const code =
      'console.log("started"); require("fs").writeFileSync("started.flag", ""); setInterval(() => {}, 1000)';
    const running = runVerifier(node('test', code), {
      cwd,
      env,
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    await waitFor(() => existsSync(join(cwd, 'started.flag')), 'the check to start');
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ passed: false, exitCode: null, timedOut: false });
    expect(result.output).toBe('started\ngaffer: test was cancelled');
  });
});
