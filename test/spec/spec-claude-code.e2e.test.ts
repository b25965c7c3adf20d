import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClaudeTestBench } from '../fixtures/model-servers/anthropic-claude-env.js';
import { say } from '../fixtures/model-servers/anthropic-messages-server.js';
import { runCli } from '../support/cli.js';
import { md, receipts, repoWithCode, REQUIREMENTS, specDir } from './spec-support.js';

const bench = createClaudeTestBench();
afterEach(() => bench.cleanup());

/** A phase answered by the real `claude` binary (read-only, in the sandbox) against a scripted server. */
describe('gaffer spec through Claude Code', () => {
  it('writes requirements.md from the answer of the real claude binary, with a receipt naming it', async () => {
    const repo = repoWithCode();
    const server = await bench.server([say(md(REQUIREMENTS))]);
    const configDir = await bench.configDir();
    const made = await runCli(['spec', 'new', 'greet', '--from', 'feature.md'], repo);
    expect(made.code, made.stderr).toBe(0);
    writeFileSync(
      join(specDir(repo), 'spec.yaml'),
      `agent: claude-code
agents:
  claude-code: { model: claude-sonnet-4-5, max_retries: 0, timeout_s: 120 }
correction_rounds: 0
`,
    );
    const ran = await runCli(['spec', 'run', 'greet', '--phase', 'requirements'], repo, {
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-ant-gaffer-test',
      CLAUDE_CONFIG_DIR: configDir,
    });
    expect(ran.code, ran.stderr + ran.stdout).toBe(0);
    expect(readFileSync(join(specDir(repo), 'requirements.md'), 'utf8')).toBe(REQUIREMENTS);
    expect(receipts(repo)['requirements-1.json']).toMatchObject({
      status: 'ok',
      agent: 'claude-code',
      model: 'claude-sonnet-4-5',
      rounds: 1,
    });
    // Claude Code was asked Gaffer's prompt, with the feature in it.
    expect(JSON.stringify(server.requests.map((r) => r.body))).toContain('The greeter says hello');
  }, 120_000);
});
