import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { startChatServer, rateLimitedOnce } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import { git, makeRepo } from '../support/repo.js';

let server: ChatServer | undefined;
let store: Store | undefined;
afterEach(async () => {
  await server?.close();
  await store?.close();
  server = undefined;
  store = undefined;
});

async function runPlan(plan: string) {
  const repo = makeRepo({ 'plan.yaml': plan });
  store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  const engine = createEngine({
    store,
    controlPollMs: 50,
    env: { ...process.env, OPENAI_API_KEY: 'sk-test' },
  });
  const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
  const final = await engine.driveRun(run.id);
  const view = await engine.runView(run.id);
  const events = await store.readEvents({ runId: run.id });
  return { repo, run, final, view, events };
}

const apiPlan = (url: string, extra = '') => `agent: api
max_rework: 2
${extra}
agents:
  api: { provider: openai-compatible, base_url: "${url}/v1", model: local-coder }
autonomy: full_auto
tasks:
  - id: hello
    title: Write hello.txt
    deliverables: [hello.txt]
`;

describe('the retry policy', () => {
  it('retries a 429 from the model server after its Retry-After, without spending a rework', async () => {
    server = await startChatServer(
      rateLimitedOnce(0.05, [
        { toolCalls: [{ name: 'write_file', arguments: { path: 'hello.txt', content: 'hello\n' } }] },
        { text: 'Done.' },
      ]),
    );
    const { final, view, events, repo, run } = await runPlan(
      apiPlan(server.url, 'retry: { initial_interval_s: 0.01, backoff: 2 }'),
    );
    expect(final.status).toBe('completed');
    const task = view.tasks[0]!;
    expect(task.status).toBe('passed');
    expect(task.reworks).toBe(0);
    expect(view.attempts.map((a) => [a.kind, a.status])).toEqual([
      ['first', 'failed'],
      ['retry', 'succeeded'],
    ]);
    expect(view.attempts[0]!.failure).toMatchObject({ kind: 'rate_limited', retryable: true });
    const scheduled = events.find((e) => e.type === 'attempt.retry-scheduled');
    // The server's Retry-After (50 ms) wins over the policy's shorter first interval (10 ms).
    expect(scheduled?.data).toEqual({ kind: 'rate_limited', delayMs: 50, retry: 1 });
    expect(events.map((e) => e.type)).not.toContain('task.rework');
    expect(git(repo, 'show', `${run.integrationBranch}:hello.txt`)).toBe('hello');
  });

  it('stops a task at once on an authentication failure, with the fix, and never retries or reworks it', async () => {
    server = await startChatServer([
      { error: { status: 401, body: { error: { message: 'invalid api key' } } } },
    ]);
    const { final, view, events } = await runPlan(apiPlan(server.url));
    expect(final.status).toBe('failed');
    const task = view.tasks[0]!;
    expect(task.status).toBe('blocked');
    expect(view.attempts).toHaveLength(1);
    expect(view.attempts[0]!.failure?.kind).toBe('auth');
    expect(task.reason).toMatch(/key/i);
    const types = events.map((e) => e.type);
    expect(types).not.toContain('attempt.retry-scheduled');
    expect(types).not.toContain('task.rework');
  });

  it('turns a transient failure into a rework once its retries are spent, and blocks when rework is spent too', async () => {
    const repo = `agent: script
max_rework: 1
retry: { attempts: 1, initial_interval_s: 0.01 }
autonomy: full_auto
tasks:
  - id: flaky
    title: Always overloaded
    agent_config: { steps: [ { fail: { kind: server_error, message: "503 overloaded" } } ] }
`;
    const { final, view } = await runPlan(repo);
    expect(final.status).toBe('failed');
    expect(view.attempts.map((a) => a.kind)).toEqual(['first', 'retry', 'rework', 'retry']);
    expect(view.tasks[0]).toMatchObject({ status: 'blocked', reworks: 1 });
    expect(view.tasks[0]!.reason).toMatch(/503 overloaded/);
  });
});
