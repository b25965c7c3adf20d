import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import { runCli } from '../support/cli.js';
import { makeRepo } from '../support/repo.js';

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const SECRET = 'sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** A `gaffer run` through the api backend: plan-level pricing, usage in status, redacted transcripts. */
describe('gaffer run with an OpenAI-compatible model', () => {
  it('records usage and cost from the plan’s price table and redacts secrets from transcripts', async () => {
    server = await startChatServer([
      { toolCalls: [{ name: 'write_file', arguments: { path: 'hello.txt', content: 'hello\n' } }] },
      { text: `Done. (The key I saw was ${SECRET}.)` },
    ]);
    const plan = `agent: api
pricing: { local-coder: { input: 2, output: 8 } }
agents:
  api: { provider: openai-compatible, base_url: "${server.url}/v1", model: local-coder }
autonomy: full_auto
tasks:
  - id: hello
    title: Write hello.txt
    deliverables: [hello.txt]
`;
    const repo = makeRepo({ 'plan.yaml': plan });
    const result = await runCli(['run', 'plan.yaml'], repo);
    expect(result.code, result.stderr + result.stdout).toBe(0);

    const status = JSON.parse((await runCli(['status', '--json'], repo)).stdout) as {
      run: { integrationBranch: string };
      tasks: { taskId: string; usage: { inputTokens: number; costUsd: number } }[];
      attempts: { transcriptPath: string }[];
    };
    expect(
      execFileSync('git', ['show', `${status.run.integrationBranch}:hello.txt`], {
        cwd: repo,
        encoding: 'utf8',
      }),
    ).toBe('hello\n');
    const usage = status.tasks[0]!.usage;
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.costUsd).toBeGreaterThan(0);

    const transcript = readFileSync(status.attempts[0]!.transcriptPath, 'utf8');
    expect(transcript).toContain('write_file');
    expect(transcript).toContain('sk-proj-[REDACTED]');
    expect(transcript).not.toContain(SECRET);
    const human = await runCli(['status'], repo);
    expect(human.stdout).toMatch(/hello\s+passed/);
    expect(human.stdout).toMatch(/\$0\.\d\d/);
  }, 120_000);
});
