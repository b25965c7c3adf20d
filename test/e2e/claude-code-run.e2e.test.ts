import { afterEach, describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createClaudeTestBench } from '../fixtures/model-servers/anthropic-claude-env.js';
import { say, useTool } from '../fixtures/model-servers/anthropic-messages-server.js';
import { runCli } from '../support/cli.js';

const bench = createClaudeTestBench();
afterEach(() => bench.cleanup());

const PLAN = `name: claude-e2e
agent: claude-code
concurrency: 1
max_rework: 0
agents:
  claude-code: { model: claude-sonnet-4-5, max_retries: 0, timeout_s: 120 }
autonomy: full_auto
tasks:
  - id: a
    title: Write a.txt
    deliverables: [a.txt]
  - id: b
    title: Write b.txt
    depends_on: [a]
    deliverables: [b.txt]
  - id: c
    title: Write c.txt
    depends_on: [a]
    deliverables: [c.txt]
`;

/** A whole `gaffer run` through the real `claude` binary against the scripted Anthropic server. */
describe('gaffer run with Claude Code', () => {
  it('runs a 3-task plan to completion, merging what the real claude binary wrote', async () => {
    const repo = await bench.repo();
    await writeFile(join(repo, 'plan.yaml'), PLAN);
    execFileSync('git', ['add', 'plan.yaml'], { cwd: repo });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'plan'], {
      cwd: repo,
    });
    const write = (file: string) =>
      useTool('Bash', { command: `echo ${file} > ${file}`, description: `write ${file}` });
    const server = await bench.server([
      write('a.txt'),
      say('a done'),
      write('b.txt'),
      say('b done'),
      write('c.txt'),
      say('c done'),
    ]);
    const configDir = await bench.configDir();
    await writeFile(join(configDir, 'settings.json'), '{"theme":"dark"}\n');

    const result = await runCli(['run', 'plan.yaml'], repo, {
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-ant-gaffer-test',
      CLAUDE_CONFIG_DIR: configDir,
    });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/run claude-e2e-\w+ completed/);

    const status = JSON.parse((await runCli(['status', '--json'], repo)).stdout) as {
      run: { id: string; integrationBranch: string };
      usage: { inputTokens: number; outputTokens: number; costUsd: number };
      attempts: { nativeSessionId: string | null; agent: string }[];
    };
    for (const file of ['a.txt', 'b.txt', 'c.txt']) {
      expect(
        execFileSync('git', ['show', `${status.run.integrationBranch}:${file}`], {
          cwd: repo,
          encoding: 'utf8',
        }),
      ).toBe(`${file}\n`);
    }
    expect(status.attempts).toHaveLength(3);
    expect(status.attempts.every((a) => a.agent === 'claude-code' && a.nativeSessionId)).toBe(true);
    expect(status.usage.inputTokens).toBeGreaterThan(0);
    expect(status.usage.costUsd).toBeGreaterThan(0);
    // Each task's Claude Code kept its state in a private copy of the user's config dir, under
    // .gaffer/ where no agent can reach it; the user's own config dir is untouched.
    expect(await readdir(configDir)).toEqual(['settings.json']);
    const runId = status.run.id;
    for (const task of ['a', 'b', 'c']) {
      const state = join(repo, '.gaffer', 'agent-state', runId, task, 'claude-code');
      expect(await readFile(join(state, 'settings.json'), 'utf8')).toBe('{"theme":"dark"}\n');
      expect(await readdir(join(state, 'projects'))).not.toEqual([]);
    }
    // the model saw Gaffer's task prompt
    expect(JSON.stringify(server.requests.map((r) => r.body))).toContain('Task b: Write b.txt');
  }, 240_000);
});
