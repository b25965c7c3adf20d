import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { makeRepo } from '../support/repo.js';

interface Check {
  name: string;
  status: string;
  detail: string;
  fix?: string;
}

describe('gaffer doctor', () => {
  it('finds the installed agent CLIs and says what is missing and how to fix it', async () => {
    const repo = makeRepo({ 'README.md': 'x\n' });
    const env = {
      ANTHROPIC_API_KEY: undefined,
      OPENAI_API_KEY: undefined,
      CODEX_API_KEY: undefined,
      HOME: repo,
    };
    const result = await runCli(['doctor', '--json'], repo, env);
    expect(result.code, result.stderr).toBe(0);
    const checks = JSON.parse(result.stdout) as Check[];
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName.git?.status).toBe('ok');
    expect(byName['claude-code']).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('2.1.197') as string,
    });
    expect(byName['claude-code']?.fix).toMatch(/ANTHROPIC_API_KEY/);
    expect(byName.codex?.detail).toContain('0.169.0');
    expect(byName.database?.detail).toMatch(/created by the first run/);
    // doctor only looks: it creates nothing
    expect(existsSync(join(repo, '.gaffer'))).toBe(false);
  });

  it('reports credentials once a key is set, and an unreachable PostgreSQL as a failure', async () => {
    const repo = makeRepo({ 'README.md': 'x\n' });
    const result = await runCli(['doctor', '--json', '--db', 'postgres://nobody@127.0.0.1:1/none'], repo, {
      ANTHROPIC_API_KEY: 'sk-ant-test',
    });
    expect(result.code).toBe(1);
    const checks = JSON.parse(result.stdout) as Check[];
    expect(checks.find((c) => c.name === 'claude-code')).toMatchObject({ status: 'ok' });
    expect(checks.find((c) => c.name === 'database')).toMatchObject({ status: 'fail' });
  });
});
