import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';

const VALID = `agent: script
tasks:
  - id: a
    title: A
`;

// In-process through `main` (nothing here needs a process of its own); the built binary is run
// end to end in cli-output.test.ts and the tests of signals, kills and second processes.

/** Bad input: one clear message with a hint, exit code 2, and nothing created or changed. */
describe('gaffer run with bad input', () => {
  const expectUntouched = (repo: string, branchesBefore: string) => {
    expect(existsSync(join(repo, '.gaffer'))).toBe(false);
    expect(git(repo, 'branch', '--list')).toBe(branchesBefore);
  };

  it('a missing plan file', async () => {
    const repo = makeRepo({ 'README.md': 'x\n' });
    const branches = git(repo, 'branch', '--list');
    const result = await runMain(['run', 'nope.yaml'], repo);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: .*nope\.yaml/);
    expect(result.stderr).toMatch(/hint: /);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expectUntouched(repo, branches);
  });

  it('a YAML syntax error, with file:line:column', async () => {
    const repo = makeRepo({ 'plan.yaml': 'agent: script\ntasks:\n  - id: a\n    title: [unclosed\n' });
    const branches = git(repo, 'branch', '--list');
    const result = await runMain(['run', 'plan.yaml'], repo);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/plan\.yaml:\d+:\d+: /);
    expectUntouched(repo, branches);
  });

  it('a schema error and a cycle, all reported', async () => {
    const plan = `agent: script\ntasks:\n  - id: a\n    title: A\n    depends_on: [b]\n  - id: b\n    title: B\n    depends_on: [a]\n    colour: red\n`;
    const repo = makeRepo({ 'plan.yaml': plan });
    const result = await runMain(['run', 'plan.yaml'], repo);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('a → b → a');
    expect(result.stderr).toMatch(/plan\.yaml:9:5: .*colour/);
  });

  it('a directory that is not a git repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gaffer-norepo-'));
    writeFileSync(join(dir, 'plan.yaml'), VALID);
    const result = await runMain(['run', 'plan.yaml'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not .*git/i);
    expect(result.stderr).toMatch(/hint: .*git init/);
    expect(existsSync(join(dir, '.gaffer'))).toBe(false);
  });

  it('a dirty working tree on the base branch', async () => {
    const repo = makeRepo({ 'plan.yaml': VALID, 'README.md': 'x\n' });
    writeFileSync(join(repo, 'README.md'), 'changed\n');
    const branches = git(repo, 'branch', '--list');
    const result = await runMain(['run', 'plan.yaml'], repo);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/uncommitted changes: README\.md/);
    expect(result.stderr).toMatch(/hint: commit or stash/);
    expectUntouched(repo, branches);
  });

  it('an unknown agent', async () => {
    const repo = makeRepo({ 'plan.yaml': VALID });
    const branches = git(repo, 'branch', '--list');
    const result = await runMain(['run', 'plan.yaml', '--agent', 'scrpt'], repo);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown agent "scrpt"/);
    expect(result.stderr).toMatch(/script/);
    expectUntouched(repo, branches);
  });

  it('a missing agent binary', async () => {
    const plan = `agent: command\nagents:\n  command: { argv: [no-such-agent-binary, "{prompt}"] }\ntasks:\n  - id: a\n    title: A\n`;
    const repo = makeRepo({ 'plan.yaml': plan });
    const branches = git(repo, 'branch', '--list');
    const result = await runMain(['run', 'plan.yaml'], repo);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no-such-agent-binary.*not found/);
    expectUntouched(repo, branches);
  });

  it('an unknown option is a usage error', async () => {
    const repo = makeRepo({ 'plan.yaml': VALID });
    const result = await runMain(['run', 'plan.yaml', '--frobnicate'], repo);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option/);
  });
});

describe('gaffer plan check', () => {
  it('exits 0 for a valid plan', async () => {
    const repo = makeRepo({ 'plan.yaml': VALID });
    const result = await runMain(['plan', 'check', 'plan.yaml'], repo);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ok: plan\.yaml — 1 tasks/);
  });

  it('exits 2 and prints the errors as JSON with --json', async () => {
    const repo = makeRepo({ 'plan.yaml': `tasks:\n  - id: a\n    title: A\n    depends_on: [zz]\n` });
    const result = await runMain(['plan', 'check', 'plan.yaml', '--json'], repo);
    expect(result.code).toBe(2);
    const parsed = JSON.parse(result.stdout) as {
      ok: boolean;
      errors: { line: number; column: number; kind: string }[];
    };
    expect(parsed.ok).toBe(false);
    expect(parsed.errors).toEqual([
      expect.objectContaining({ kind: 'unknown-dependency', line: 4, column: 18 }),
    ]);
  });
});
