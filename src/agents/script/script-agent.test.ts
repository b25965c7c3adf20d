import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessionInput } from '../../../test/agents/session-input.js';
import {
  canSeeBlockedWrites,
  chattyChildCode,
  drainNotingLargest,
  waitUntilBlockedOrDone,
} from '../../../test/support/blocked-in-write.js';
import type { AgentEvent, SessionInput, SessionResult } from '../../domain/index.js';
import { userError } from '../../domain/index.js';
import type { EventChannel } from '../event-channel.js';
import { SESSION_HIGH_WATER_MARK } from '../session.js';
import { createScriptAgent } from './script-agent.js';

let cwd: string;
beforeEach(async () => {
  cwd = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-script-')));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function run(
  config: Record<string, unknown>,
  overrides: Partial<SessionInput> = {},
  signal = new AbortController().signal,
): Promise<{ result: SessionResult; events: AgentEvent[] }> {
  const session = createScriptAgent().start(sessionInput({ cwd, config, ...overrides }), signal);
  const events: AgentEvent[] = [];
  for await (const event of session.events) events.push(event);
  return { result: await session.result, events };
}

const read = (file: string) => readFile(path.join(cwd, file), 'utf8');

describe('script agent', () => {
  it('writes, appends and deletes files, reporting each step', async () => {
    await writeFile(path.join(cwd, 'old.txt'), 'old');
    const { result, events } = await run(
      {
        steps: [
          { write: { path: 'src/new.txt', content: 'hello' } },
          { append: { path: 'src/new.txt', content: ' world' } },
          { delete: 'old.txt' },
          { say: 'done' },
        ],
      },
      { prompt: 'x'.repeat(40), attemptId: 'a-7' },
    );
    expect(await read('src/new.txt')).toBe('hello world');
    await expect(read('old.txt')).rejects.toThrow(/ENOENT/);
    expect(result).toEqual({
      status: 'succeeded',
      nativeSessionId: 'script-a-7',
      usage: { inputTokens: 10, outputTokens: 3, cachedInputTokens: 0, costUsd: 0 },
    });
    expect(events).toMatchInlineSnapshot(`
      [
        {
          "id": "step-0",
          "input": {
            "content": "hello",
            "path": "src/new.txt",
          },
          "name": "write",
          "type": "tool_call",
        },
        {
          "id": "step-0",
          "output": "wrote 5 chars to src/new.txt",
          "type": "tool_result",
        },
        {
          "id": "step-1",
          "input": {
            "content": " world",
            "path": "src/new.txt",
          },
          "name": "append",
          "type": "tool_call",
        },
        {
          "id": "step-1",
          "output": "appended 6 chars to src/new.txt",
          "type": "tool_result",
        },
        {
          "id": "step-2",
          "input": "old.txt",
          "name": "delete",
          "type": "tool_call",
        },
        {
          "id": "step-2",
          "output": "deleted old.txt",
          "type": "tool_result",
        },
        {
          "id": "step-3",
          "input": "done",
          "name": "say",
          "type": "tool_call",
        },
        {
          "text": "done",
          "type": "text",
        },
        {
          "id": "step-3",
          "output": "said",
          "type": "tool_result",
        },
        {
          "type": "usage",
          "usage": {
            "cachedInputTokens": 0,
            "costUsd": 0,
            "inputTokens": 10,
            "outputTokens": 3,
          },
        },
      ]
    `);
  });

  it('runs the steps of the attempt it is on', async () => {
    const config = {
      attempts: [
        [{ write: { path: 'try.txt', content: 'one' } }],
        [{ write: { path: 'try.txt', content: 'two' } }],
      ],
    };
    await run(config, { attemptNumber: 1 });
    expect(await read('try.txt')).toBe('one');
    await run(config, { attemptNumber: 3, kind: 'rework' });
    expect(await read('try.txt')).toBe('two');
  });

  it('succeeds without changes when it has no steps', async () => {
    const { result, events } = await run({});
    expect(result.status).toBe('succeeded');
    expect(events[0]).toEqual({ type: 'text', text: 'script agent: no steps configured, nothing to change' });
  });

  it('fails on a bad step before changing anything, naming the step', async () => {
    const { result, events } = await run({
      steps: [{ write: { path: 'a.txt', content: 'A' } }, { write: { path: '../escape.txt', content: 'B' } }],
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(
      /^invalid script agent config: steps\[1\]\.write\.path: path "\.\.\/escape\.txt" must be/,
    );
    await expect(read('a.txt')).rejects.toThrow(/ENOENT/);
    await expect(readFile(path.join(cwd, '..', 'escape.txt'))).rejects.toThrow(/ENOENT/);
    expect(events.at(-1)).toEqual({ type: 'error', message: result.error });
  });

  it('ends as failed at a fail step and skips the rest', async () => {
    const { result, events } = await run({
      steps: [{ fail: 'tests are red' }, { write: { path: 'x', content: '' } }],
    });
    expect(result).toMatchObject({ status: 'failed', error: 'tests are red' });
    expect(events.filter((event) => event.type === 'tool_call')).toHaveLength(1);
    expect(events).toContainEqual({
      type: 'tool_result',
      id: 'step-0',
      output: 'tests are red',
      isError: true,
    });
  });

  it('runs commands in its cwd with the session env and streams their output', async () => {
    const code = `require('fs').writeFileSync('ran.txt', process.env.GREETING); console.log('line 1\\nline 2')`;
    const { result, events } = await run(
      { steps: [{ run: [process.execPath, '-e', code] }] },
      { env: { PATH: process.env.PATH ?? '', GREETING: 'hi' } },
    );
    expect(result.status).toBe('succeeded');
    expect(await read('ran.txt')).toBe('hi');
    expect(events.filter((event) => event.type === 'output')).toEqual([
      { type: 'output', stream: 'stdout', text: 'line 1' },
      { type: 'output', stream: 'stdout', text: 'line 2' },
    ]);
  });

  it('fails on a non-zero exit with the output tail, and on a run timeout', async () => {
    const failing = await run({
      steps: [{ run: [process.execPath, '-e', 'console.error("broken build"); process.exit(2)'] }],
    });
    expect(failing.result.status).toBe('failed');
    expect(failing.result.error).toMatch(/exited with 2\nbroken build$/);
    const slow = await run({
      steps: [{ run: { argv: [process.execPath, '-e', 'setTimeout(() => {}, 30000)'], timeout_ms: 200 } }],
    });
    expect(slow.result.error).toMatch(/timed out after 200 ms/);
    const missing = await run({ steps: [{ run: ['gaffer-no-such-binary-xyz'] }] });
    expect(missing.result.error).toMatch(/cannot start "gaffer-no-such-binary-xyz"/);
  });

  it('asks its questions and carries on with the answer', async () => {
    const asked: string[] = [];
    const ask = async (question: string) => {
      asked.push(question);
      return 'use tabs';
    };
    const { result, events } = await run({ steps: [{ ask: 'tabs or spaces?' }, { say: 'ok' }] }, { ask });
    expect(result.status).toBe('succeeded');
    expect(asked).toEqual(['tabs or spaces?']);
    expect(events.filter((event) => event.type === 'question')).toEqual([
      { type: 'question', question: 'tabs or spaces?' },
      { type: 'question', question: 'tabs or spaces?', answer: 'use tabs' },
    ]);
    const unanswered = await run({ steps: [{ ask: 'anyone?' }] });
    expect(unanswered.result.status).toBe('succeeded');
  });

  it('fails when routing a question fails', async () => {
    const ask = () => Promise.reject(userError('GAFFER_BAD_INPUT', 'no foreman'));
    const { result } = await run({ steps: [{ ask: 'help?' }] }, { ask });
    expect(result).toMatchObject({ status: 'failed', error: 'step 0 (ask): no foreman' });
  });

  it('stops a sleep within 200 ms of an abort', async () => {
    const controller = new AbortController();
    const session = createScriptAgent().start(
      sessionInput({
        cwd,
        config: { steps: [{ sleep_ms: 60_000 }, { write: { path: 'late.txt', content: '' } }] },
      }),
      controller.signal,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const abortedAt = Date.now();
    controller.abort();
    const result = await session.result;
    expect(Date.now() - abortedAt).toBeLessThan(200);
    expect(result).toMatchObject({ status: 'aborted', nativeSessionId: 'script-attempt-1' });
    await expect(read('late.txt')).rejects.toThrow(/ENOENT/);
  });

  it('records steering as text and validates config in preflight', async () => {
    const agent = createScriptAgent();
    const session = agent.start(
      sessionInput({ cwd, config: { steps: [{ sleep_ms: 50 }] } }),
      new AbortController().signal,
    );
    await session.send('focus on the tests');
    const events: AgentEvent[] = [];
    for await (const event of session.events) events.push(event);
    expect(events).toContainEqual({ type: 'text', text: 'steer: focus on the tests' });
    await expect(agent.preflight?.({ steps: [{ say: 'ok' }] }, {})).resolves.toBeUndefined();
    await expect(agent.preflight?.({ steps: [{ sing: 'la' }] }, {})).rejects.toMatchObject({
      code: 'GAFFER_BAD_INPUT',
      message: expect.stringMatching(/steps\[0\]: unknown step "sing"/) as unknown,
    });
  });

  it('fails with the failure kind a fail step names, Retry-After and hint included', async () => {
    const { result } = await run({
      steps: [{ fail: { kind: 'rate_limited', retry_after_ms: 10, message: 'slow down' } }],
    });
    expect(result).toMatchObject({
      status: 'failed',
      error: 'slow down',
      failure: { kind: 'rate_limited', retryable: true, retryAfterMs: 10, message: 'slow down' },
    });
    const auth = await run({
      steps: [{ fail: { kind: 'auth', message: 'bad key', hint: 'check the key' } }],
    });
    expect(auth.result.failure).toEqual({
      kind: 'auth',
      retryable: false,
      message: 'bad key',
      hint: 'check the key',
    });
  });

  it('fails a plain fail step, a failing command and a missing binary with their kinds', async () => {
    expect((await run({ steps: [{ fail: 'no' }] })).result.failure).toEqual({
      kind: 'task_failed',
      retryable: false,
      message: 'no',
    });
    const exit = await run({ steps: [{ run: [process.execPath, '-e', 'process.exit(2)'] }] });
    expect(exit.result.failure?.kind).toBe('task_failed');
    const slow = await run({
      steps: [{ run: { argv: [process.execPath, '-e', 'setTimeout(() => {}, 5000)'], timeout_ms: 100 } }],
    });
    expect(slow.result.failure?.kind).toBe('timeout');
    const missing = await run({ steps: [{ run: ['gaffer-no-such-binary-xyz'] }] });
    expect(missing.result.failure?.kind).toBe('binary_missing');
  });

  it('fails only the first `times` sessions of a task, then passes the step', async () => {
    const agent = createScriptAgent();
    const config = {
      steps: [{ fail: { kind: 'server_error', times: 2 } }, { write: { path: 'ok.txt', content: 'ok' } }],
    };
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) {
      const session = agent.start(sessionInput({ cwd, config }), new AbortController().signal);
      const result = await session.result;
      statuses.push(result.failure === undefined ? result.status : `${result.status}:${result.failure.kind}`);
    }
    expect(statuses).toEqual(['failed:server_error', 'failed:server_error', 'succeeded']);
    expect(await read('ok.txt')).toBe('ok');
  });

  it('rejects an unknown failure kind and an unknown config key, suggesting the right one', async () => {
    const agent = createScriptAgent();
    await expect(agent.preflight?.({ steps: [{ fail: { kind: 'rate_limit' } }] }, {})).rejects.toMatchObject({
      code: 'GAFFER_BAD_INPUT',
      message: expect.stringMatching(/^invalid script agent config: steps\[0\]\.fail\.kind: /) as unknown,
    });
    await expect(agent.preflight?.({ stpes: [] }, {})).rejects.toMatchObject({
      code: 'GAFFER_BAD_INPUT',
      userError: true,
      message: 'invalid script agent config: unknown key "stpes"',
      hint: 'did you mean "steps"? known keys: steps, attempts, model',
      details: { agent: 'script', key: 'stpes', suggestion: 'steps' },
    });
    const { result } = await run({ stpes: [] });
    expect(result.failure).toMatchObject({
      kind: 'config',
      retryable: false,
      hint: expect.stringContaining('steps') as unknown,
    });
  });
});

describe('script agent tries', () => {
  const twoTries = {
    attempts: [
      [{ write: { path: 'a.txt', content: 'first try' } }],
      [{ write: { path: 'a.txt', content: 'second try' } }],
    ],
  };

  it('plays the interrupted try again when it comes back as a resume or a retry', async () => {
    const first = await run(twoTries, { attemptId: 'a1', attemptNumber: 1, kind: 'first' });
    expect(first.result.nativeSessionId).toBe('script-a1');

    // Interrupted attempt 1 resumed as attempt 2: still the first try.
    const resumed = await run(twoTries, {
      attemptId: 'a2',
      attemptNumber: 2,
      kind: 'resume',
      resumeSessionId: 'script-a1',
    });
    expect(await read('a.txt')).toBe('first try');
    // …and interrupted again, resumed as attempt 3: its id says which try it continues.
    await run(twoTries, {
      attemptId: 'a3',
      attemptNumber: 3,
      kind: 'resume',
      resumeSessionId: resumed.result.nativeSessionId,
    });
    expect(await read('a.txt')).toBe('first try');
    // A transient failure retried is the same try too.
    await run(twoTries, {
      attemptId: 'a4',
      attemptNumber: 4,
      kind: 'retry',
      resumeSessionId: 'script-a3~t1',
    });
    expect(await read('a.txt')).toBe('first try');
    // A resume whose interrupted session left no id: the attempt before it, try 1.
    await run(twoTries, { attemptId: 'a2', attemptNumber: 2, kind: 'resume' });
    expect(await read('a.txt')).toBe('first try');

    // The rework is the next try.
    await run(twoTries, { attemptId: 'a5', attemptNumber: 5, kind: 'rework' });
    expect(await read('a.txt')).toBe('second try');
  });

  it('counts `times` per script step, so a retried try gets past a transient failure', async () => {
    const agent = createScriptAgent();
    const config = {
      attempts: [
        [{ fail: { kind: 'server_error', times: 1 } }, { write: { path: 'ok.txt', content: 'ok' } }],
        [{ write: { path: 'ok.txt', content: 'rework' } }],
      ],
    };
    const start = (overrides: Partial<SessionInput>) =>
      agent.start(sessionInput({ cwd, config, ...overrides }), new AbortController().signal).result;
    const failed = await start({ attemptId: 'a1', attemptNumber: 1, kind: 'first' });
    expect(failed.failure?.kind).toBe('server_error');
    const retried = await start({
      attemptId: 'a2',
      attemptNumber: 2,
      kind: 'retry',
      resumeSessionId: failed.nativeSessionId ?? '',
    });
    expect(retried.status).toBe('succeeded');
    expect(await read('ok.txt')).toBe('ok');
  });
});

describe('script agent backpressure', () => {
  it.skipIf(!canSeeBlockedWrites)(
    "stops reading a run step's chatty child while nobody reads its events, then delivers every line in order",
    async () => {
      const LINES = 200_000; // ~2.5 MB: far more than the session's mark and every buffer on the way
      const code = chattyChildCode(LINES);
      const session = createScriptAgent().start(
        sessionInput({ cwd, config: { steps: [{ run: [process.execPath, '-e', code] }] } }),
        new AbortController().signal,
      );
      const channel = session.events as EventChannel<AgentEvent>;
      // Nobody reads: the child must end up stuck in write(2).
      expect(await waitUntilBlockedOrDone(cwd, 'the run step to block on its full pipe')).toBe(false);
      // The step's call, its `process` event and at most the mark's worth of lines.
      expect(channel.size).toBeGreaterThan(SESSION_HIGH_WATER_MARK / 2);
      expect(channel.size).toBeLessThanOrEqual(SESSION_HIGH_WATER_MARK);
      const { events, largest } = await drainNotingLargest(channel);
      // The step's result and the usage are emitted after the last line, without waiting for room.
      expect(largest).toBeLessThanOrEqual(SESSION_HIGH_WATER_MARK + 2);
      expect((await session.result).status).toBe('succeeded');
      expect(events.slice(0, 2).map((event) => event.type)).toEqual(['tool_call', 'process']);
      expect(events.slice(-2).map((event) => event.type)).toEqual(['tool_result', 'usage']);
      const lines = events.flatMap((event) => (event.type === 'output' ? [event.text] : []));
      expect(lines).toHaveLength(LINES);
      expect(lines.every((text, index) => text === `line ${index}`)).toBe(true);
    },
  );
});
