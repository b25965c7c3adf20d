import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

describe('gaffer demo', () => {
  it('runs the 6-task plan offline, shows one rework, and ends with a merged branch whose tests pass', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gaffer-demo-test-')), 'repo');
    const result = await runCli(['demo', '--dir', dir], process.cwd());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('agent: script — a deterministic, scripted agent: no model is called');
    expect(result.stdout).toMatch(/title-case: rework \(attempt 2 next\): test failed/);
    expect(result.stdout).toMatch(/run textkit-\w+ completed in \d+s: 6\/6 tasks passed, 7 attempts/);
    expect(result.stdout).toContain('title-case: passed after 1 rework');
    // index is checked by nothing: yellow, it waits for a person, and the demo says what it runs.
    expect(result.stdout).toContain("no checks ran: the plan's or the task's verifiers leave out test");
    expect(result.stdout).toMatch(
      /the demo approves it, as you would: npx gaffer -C \S+ approve textkit-\w+\.index\.1\.eval/,
    );
    expect(result.stdout).toContain('index: approved by gaffer demo');

    const branch = /integration branch: (gaffer\/textkit-\w+)/.exec(result.stdout)?.[1];
    expect(branch).toBeDefined();
    const checkout = join(dir, '..', 'integration');
    execFileSync('git', ['worktree', 'add', '-q', '--detach', checkout, branch!], { cwd: dir });
    // the merged result passes the sample repository's own test suite
    const tests = execFileSync('node', ['--test'], { cwd: checkout, encoding: 'utf8' });
    expect(tests).toMatch(/# pass 8/);
    expect(tests).toMatch(/# fail 0/);
    // and the user's checkout stayed on main
    expect(execFileSync('git', ['branch', '--show-current'], { cwd: dir, encoding: 'utf8' }).trim()).toBe(
      'main',
    );
  }, 120_000);

  it('refuses a directory that is not empty', async () => {
    const result = await runCli(['demo', '--dir', process.cwd()], process.cwd());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not empty/);
  });
});
