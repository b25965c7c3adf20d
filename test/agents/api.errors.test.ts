import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiAgent } from '../../src/agents/api/index.js';
import type { AgentEvent, SessionInput, SessionResult } from '../../src/domain/index.js';
import { rateLimitedOnce, startChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatScript, ChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import { waitFor } from '../support/wait-for.js';
import { sessionInput } from './session-input.js';

/** An asymmetric matcher typed as the string it stands for. */
const matching = (pattern: RegExp | string): string =>
  (typeof pattern === 'string' ? expect.stringContaining(pattern) : expect.stringMatching(pattern)) as string;

let cwd: string;
let server: ChatServer | undefined;

beforeEach(async () => {
  cwd = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-api-errors-')));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(cwd, { recursive: true, force: true });
});

async function run(
  script: ChatScript,
  config: Record<string, unknown> = {},
  overrides: Partial<SessionInput> = {},
  signal = new AbortController().signal,
) {
  server = await startChatServer(script);
  const session = createApiAgent().start(
    sessionInput({ cwd, config: { base_url: server.baseURL, model: 'test-model', ...config }, ...overrides }),
    signal,
  );
  const events: AgentEvent[] = [];
  for await (const event of session.events) events.push(event);
  const result: SessionResult = await session.result;
  return { events, result, requests: server.exchanges.length };
}

describe('api agent failures', () => {
  it('fails when the model keeps calling tools past max_steps', async () => {
    const { result, requests } = await run(() => ({ toolCalls: [{ name: 'list_files', arguments: {} }] }), {
      max_steps: 3,
    });
    expect(result.status).toBe('failed');
    expect(result.error).toBe(
      'stopped after 3 steps without finishing (max_steps 3) — raise agents.api.max_steps or split the task',
    );
    expect(requests).toBe(3);
    expect(result.usage?.inputTokens).toBeGreaterThan(0);
  });

  it('retries a 429 and then succeeds', async () => {
    // In-session retries are opt-in (max_retries); by default the engine's policy retries.
    const { result, requests } = await run([{ error: { status: 429 } }, { text: 'done' }], {
      max_retries: 1,
    });
    expect(result.status).toBe('succeeded');
    expect(requests).toBe(2);
  });

  it('gives up on a server that keeps failing, after max_retries, with a clear message', async () => {
    const { result, requests, events } = await run(
      () => ({ error: { status: 500, body: { error: { message: 'upstream exploded' } } } }),
      { max_retries: 3 },
    );
    expect(result.status).toBe('failed');
    expect(result.error).toBe('the model server failed (500: upstream exploded); gave up after 4 attempts');
    expect(requests).toBe(4);
    expect(events.at(-1)).toEqual({ type: 'error', message: result.error });
  });

  it('fails at once, naming the model, when the server does not know it', async () => {
    const { result, requests } = await run([
      {
        error: {
          status: 404,
          body: { error: { message: 'model "test-model" not found, try pulling it first' } },
        },
      },
    ]);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(
      /^model "test-model" was not found at http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions \(404: model "test-model" not found, try pulling it first\) — check agents\.api\.model/,
    );
    expect(requests).toBe(1);
  });

  it('fails on a malformed stream', async () => {
    const { result } = await run([{ malformed: true }]);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^malformed response from the model server: JSON parsing failed/);
  });

  it('fails with a hint when the server cannot be reached', async () => {
    const closed = await startChatServer([]);
    await closed.close();
    const session = createApiAgent().start(
      sessionInput({ cwd, config: { base_url: closed.baseURL, model: 'm', max_retries: 0 } }),
      new AbortController().signal,
    );
    const result = await session.result;
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(
      /^cannot reach the model server at .* — is it running\? check agents\.api\.base_url$/,
    );
  });

  // A session that ignored the abort would hang on the model until the test's timeout.
  it('ends as aborted when aborted while the model hangs', async () => {
    const controller = new AbortController();
    const pending = run([{ hang: true }], {}, {}, controller.signal);
    await waitFor(() => (server?.exchanges.length ?? 0) > 0, 'the request to the model server');
    controller.abort();
    const { result } = await pending;
    expect(result.status).toBe('aborted');
  });

  it('fails when the key is missing from the session env, naming the variable', async () => {
    const session = createApiAgent().start(
      sessionInput({
        cwd,
        config: { provider: 'openai', model: 'gpt-5-mini' },
        env: { PATH: process.env.PATH ?? '' },
      }),
      new AbortController().signal,
    );
    expect(await session.result).toMatchObject({
      status: 'failed',
      error: "OPENAI_API_KEY is not set in the agent's environment — export it before running gaffer",
    });
  });
});

describe('api agent typed failures', () => {
  it('fails a 429 as rate_limited with the Retry-After, and lets the next session succeed', async () => {
    server = await startChatServer(rateLimitedOnce(3, [{ text: 'done' }]));
    const config = { base_url: server.baseURL, model: 'test-model' };
    const agent = createApiAgent();
    const first = await agent.start(sessionInput({ cwd, config }), new AbortController().signal).result;
    expect(first.status).toBe('failed');
    expect(first.failure).toMatchObject({ kind: 'rate_limited', retryable: true, retryAfterMs: 3000 });
    expect(first.failure?.message).toBe(first.error);
    expect(server.exchanges).toHaveLength(1); // the SDK did not retry on its own
    const second = await agent.start(sessionInput({ cwd, config }), new AbortController().signal).result;
    expect(second.status).toBe('succeeded');
    expect(second.failure).toBeUndefined();
  });

  it.each([
    [500, 'server_error', true],
    [529, 'server_error', true],
    [401, 'auth', false],
    [403, 'auth', false],
    [404, 'config', false],
    [400, 'config', false],
  ] as const)('fails HTTP %i as %s', async (status, kind, retryable) => {
    const { result, requests } = await run([{ error: { status } }]);
    expect(result.failure).toMatchObject({ kind, retryable });
    expect(requests).toBe(1);
    if (!retryable) expect(result.failure?.hint).toMatch(/check /);
  });

  it('reads retry-after-ms on a 5xx', async () => {
    const { result } = await run([{ error: { status: 503, headers: { 'retry-after-ms': '250' } } }]);
    expect(result.failure).toMatchObject({ kind: 'server_error', retryAfterMs: 250 });
  });

  it('fails an unreachable server as server_error, a missing key as auth, a bad config as config', async () => {
    const closed = await startChatServer([]);
    await closed.close();
    const agent = createApiAgent();
    const unreachable = await agent.start(
      sessionInput({ cwd, config: { base_url: closed.baseURL, model: 'm' } }),
      new AbortController().signal,
    ).result;
    expect(unreachable.failure).toMatchObject({ kind: 'server_error', retryable: true });
    const noKey = await agent.start(
      sessionInput({ cwd, config: { provider: 'openai', model: 'gpt-5-mini' }, env: {} }),
      new AbortController().signal,
    ).result;
    expect(noKey.failure).toMatchObject({
      kind: 'auth',
      retryable: false,
      hint: expect.stringContaining('OPENAI_API_KEY') as string,
    });
    const badConfig = await agent.start(
      sessionInput({ cwd, config: { model: 'm', base_url: closed.baseURL, max_step: 3 } }),
      new AbortController().signal,
    ).result;
    expect(badConfig).toMatchObject({
      status: 'failed',
      error: 'invalid api agent config: unknown key "max_step"',
      failure: { kind: 'config', hint: expect.stringContaining('did you mean "max_steps"?') as string },
    });
  });

  it('fails a model that keeps calling tools past max_steps as task_failed', async () => {
    const { result } = await run(() => ({ toolCalls: [{ name: 'list_files', arguments: {} }] }), {
      max_steps: 2,
    });
    expect(result.failure).toMatchObject({ kind: 'task_failed', retryable: false });
  });
});

describe('api agent preflight', () => {
  const env = { ANTHROPIC_API_KEY: 'sk-test' };

  it('needs a model, and a base_url for OpenAI-compatible servers', async () => {
    const agent = createApiAgent();
    await expect(agent.preflight?.({ base_url: 'http://localhost:11434/v1' }, env)).rejects.toMatchObject({
      code: 'GAFFER_BAD_INPUT',
      userError: true,
      message: matching(/^invalid api agent config: model: /),
    });
    await expect(agent.preflight?.({ model: 'qwen' }, env)).rejects.toMatchObject({
      code: 'GAFFER_BAD_INPUT',
      message: matching('base_url: required for provider openai-compatible'),
    });
    await expect(
      agent.preflight?.({ base_url: 'http://localhost:11434/v1', model: 'qwen' }, env),
    ).resolves.toBeUndefined();
  });

  it('names the missing key variable', async () => {
    await expect(
      createApiAgent().preflight?.({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, {}),
    ).rejects.toMatchObject({
      code: 'GAFFER_BAD_INPUT',
      userError: true,
      message: 'the api agent (anthropic) needs an API key in ANTHROPIC_API_KEY, which is not set',
      hint: 'export ANTHROPIC_API_KEY=… (Gaffer passes the variable named by api_key_env to the agent)',
    });
    await expect(
      createApiAgent().preflight?.({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, env),
    ).resolves.toBeUndefined();
  });
});

describe('api agent abort while a tool waits', () => {
  it('ends as aborted while a question is unanswered', async () => {
    const controller = new AbortController();
    let asked = false;
    const pending = run(
      [{ toolCalls: [{ name: 'ask_question', arguments: { question: 'Which database?' } }] }],
      {},
      {
        ask: () => {
          asked = true;
          return new Promise<string>(() => undefined);
        },
      },
      controller.signal,
    );
    await waitFor(() => asked, 'the agent to ask its question');
    controller.abort();
    const { result } = await pending;
    expect(result.status).toBe('aborted');
  });
});
