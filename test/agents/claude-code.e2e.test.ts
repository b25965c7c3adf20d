import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClaudeCodeAgent } from '../../src/agents/claude-code/index.js';
import type { AgentEvent, AgentSession, SessionInput, SessionResult } from '../../src/domain/index.js';
import { claudeTestConfig, createClaudeTestBench } from '../fixtures/model-servers/anthropic-claude-env.js';
import {
  failWith,
  hang,
  malformed,
  say,
  useTool,
} from '../fixtures/model-servers/anthropic-messages-server.js';
import type { AnthropicServer, AnthropicTurn } from '../fixtures/model-servers/anthropic-messages-server.js';
import { processesInDir } from '../../src/process/processes-in-dir.js';
import { waitFor } from '../support/wait-for.js';
import { sessionInput } from './session-input.js';

// Every test drives the real `claude` binary (2.1.197) against a scripted Anthropic server.
const bench = createClaudeTestBench();
// A test that fails midway must not leave its session writing into directories being removed.
const running: { stop: AbortController; done: Promise<SessionResult> }[] = [];
afterEach(async () => {
  for (const { stop } of running) stop.abort();
  await Promise.all(running.splice(0).map(({ done }) => done));
  await bench.cleanup();
});

interface Started {
  session: AgentSession;
  server: AnthropicServer;
  cwd: string;
  events: AgentEvent[];
  /** Resolves with the result once the event stream has been read to its end. */
  done: Promise<SessionResult>;
  /** Resolves with the first event that matches. */
  when(match: (event: AgentEvent) => boolean): Promise<AgentEvent>;
}

async function start(
  script: readonly AnthropicTurn[],
  options: {
    cwd?: string;
    configDir?: string;
    config?: Record<string, unknown>;
    input?: Partial<SessionInput>;
    signal?: AbortSignal;
  } = {},
): Promise<Started> {
  const server = await bench.server(script);
  const cwd = options.cwd ?? (await bench.repo());
  const configDir = options.configDir ?? (await bench.configDir());
  const stop = new AbortController();
  const session = createClaudeCodeAgent().start(
    sessionInput({ cwd, config: claudeTestConfig(server, configDir, options.config), ...options.input }),
    AbortSignal.any([stop.signal, ...(options.signal ? [options.signal] : [])]),
  );
  const events: AgentEvent[] = [];
  const watchers: { match: (event: AgentEvent) => boolean; resolve: (event: AgentEvent) => void }[] = [];
  const done = (async () => {
    for await (const event of session.events) {
      events.push(event);
      for (const watcher of watchers.filter((w) => w.match(event))) watcher.resolve(event);
    }
    return session.result;
  })();
  const when = (match: (event: AgentEvent) => boolean) =>
    new Promise<AgentEvent>((resolve) => {
      const seen = events.find(match);
      if (seen) resolve(seen);
      else watchers.push({ match, resolve });
    });
  running.push({ stop, done });
  return { session, server, cwd, events, done, when };
}

/** Everything the model was sent in agent-loop request `index`, as one string. */
const seenByModel = (server: AnthropicServer, index: number) =>
  JSON.stringify(server.turnRequests[index]?.body);

describe('claude-code agent (real claude binary, scripted model)', () => {
  it('writes a file in the worktree and reports usage, cost and its session id', async () => {
    const cwd = await bench.repo();
    const target = path.join(cwd, 'src', 'greeting.txt');
    const run = await start(
      [
        useTool('Write', { file_path: target, content: 'hello\n' }, 'Writing the greeting.'),
        say('Wrote it.'),
      ],
      { cwd },
    );
    const result = await run.done;

    expect(result.error).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(await readFile(target, 'utf8')).toBe('hello\n');
    expect(result.nativeSessionId).toMatch(/^[0-9a-f-]{36}$/);
    // Two model calls, each 120 fresh + 40 cache-read input tokens and 30 output tokens.
    expect(result.usage).toMatchObject({ inputTokens: 320, cachedInputTokens: 80, outputTokens: 60 });
    // Claude Code's own estimate for claude-sonnet-4-5 ($3 / $0.30 cached / $15 per million).
    expect(result.usage?.costUsd).toBeCloseTo(2 * (120 * 3 + 40 * 0.3 + 30 * 15) * 1e-6, 8);
    expect(run.events.filter((event) => event.type === 'text').map((event) => event.text)).toEqual([
      'Writing the greeting.',
      'Wrote it.',
    ]);
    const call = run.events.find((event) => event.type === 'tool_call');
    expect(call).toMatchObject({ name: 'Write', input: { file_path: target } });
    const toolResult = run.events.find((event) => event.type === 'tool_result');
    expect(toolResult).toMatchObject({ id: call?.type === 'tool_call' ? call.id : 'none' });
    expect(run.events.at(-1)).toEqual({ type: 'usage', usage: result.usage });
    expect(seenByModel(run.server, 1)).toContain('File created successfully');
  });

  it('denies writes to .git and to protected globs, and tells the model why', async () => {
    const cwd = await bench.repo();
    const gitConfig = path.join(cwd, '.git', 'config');
    const before = await readFile(gitConfig, 'utf8');
    const run = await start(
      [
        useTool('Read', { file_path: gitConfig }),
        useTool('Write', { file_path: gitConfig, content: '[core]\n\thooksPath = /tmp/evil\n' }),
        useTool('Write', { file_path: path.join(cwd, 'docs', 'plan.md'), content: 'rewritten' }),
        say('Could not change those.'),
      ],
      { cwd, input: { protectedPaths: ['docs/**'] } },
    );
    const result = await run.done;

    expect(result.status).toBe('succeeded');
    expect(await readFile(gitConfig, 'utf8')).toBe(before);
    await expect(readFile(path.join(cwd, 'docs', 'plan.md'))).rejects.toThrow(/ENOENT/);
    const denied = run.events.filter((event) => event.type === 'denied');
    expect(denied).toEqual([
      {
        type: 'denied',
        tool: 'Write',
        input: expect.objectContaining({ file_path: gitConfig }) as unknown,
        reason: expect.stringMatching(/\.git\/config is a protected path/) as string,
      },
      {
        type: 'denied',
        tool: 'Write',
        input: expect.objectContaining({ file_path: path.join(cwd, 'docs', 'plan.md') }) as unknown,
        reason: expect.stringMatching(/docs\/plan\.md is a protected path/) as string,
      },
    ]);
    expect(seenByModel(run.server, 2)).toContain('Gaffer denied this: .git/config is a protected path');
    expect(seenByModel(run.server, 3)).toContain('Gaffer denied this: docs/plan.md is a protected path');
  });

  it('denies shell reads of secrets, even those Claude Code would run without asking', async () => {
    const cwd = await bench.repo();
    await writeFile(path.join(cwd, '.env'), 'API_TOKEN=hunter2\n');
    const run = await start(
      [
        useTool('Bash', { command: 'cat ~/.ssh/id_rsa', description: 'Show the key' }),
        useTool('Bash', { command: 'cat .env', description: 'Show the env file' }),
        useTool('Read', { file_path: path.join(cwd, '.env') }),
        say('Understood.'),
      ],
      { cwd },
    );
    const result = await run.done;

    expect(result.status).toBe('succeeded');
    expect(
      run.events
        .filter((event) => event.type === 'denied')
        .map((event) => event.type === 'denied' && event.tool),
    ).toEqual(['Bash', 'Bash', 'Read']);
    expect(seenByModel(run.server, 1)).toContain('Gaffer denied this: denied: reading credentials');
    const everything = run.server.requests.map((request) => JSON.stringify(request.body)).join('\n');
    expect(everything).not.toContain('hunter2');
  });

  // A session that ignored the abort would wait on `sleep 60` past the test's timeout.
  it('stops on abort and leaves no process in the worktree', async () => {
    const controller = new AbortController();
    const run = await start(
      [
        useTool('Bash', { command: 'touch started.flag && sleep 60', description: 'Wait' }, 'Waiting.'),
        say('never'),
      ],
      {
        signal: controller.signal,
      },
    );
    // The shell has started (and `sleep` with it) once the flag exists.
    await waitFor(() => existsSync(path.join(run.cwd, 'started.flag')), 'the Bash tool to start its shell');
    controller.abort();
    const result = await run.done;

    expect(result).toMatchObject({
      status: 'aborted',
      nativeSessionId: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
    });
    const left = await processesInDir(run.cwd);
    if (left !== undefined) expect(left).toEqual([]);
  });

  it('resumes an interrupted attempt in the same native session', async () => {
    const cwd = await bench.repo();
    const configDir = await bench.configDir();
    const controller = new AbortController();
    const first = await start(
      [
        useTool('Bash', { command: 'echo step-one-done', description: 'Step one' }, 'Starting step one.'),
        hang(),
      ],
      { cwd, configDir, signal: controller.signal, input: { prompt: 'Do steps one and two.' } },
    );
    await first.when((event) => event.type === 'tool_result');
    controller.abort();
    const interrupted = await first.done;
    expect(interrupted.status).toBe('aborted');
    expect(interrupted.nativeSessionId).toBeDefined();

    const second = await start([say('Step two done.')], {
      cwd,
      configDir,
      input: { prompt: 'Continue where you stopped.', resumeSessionId: interrupted.nativeSessionId },
    });
    const resumed = await second.done;

    expect(resumed.status).toBe('succeeded');
    expect(resumed.nativeSessionId).toBe(interrupted.nativeSessionId);
    const seen = seenByModel(second.server, 0);
    expect(seen).toContain('Do steps one and two.');
    expect(seen).toContain('step-one-done');
    expect(seen).toContain('Continue where you stopped.');
  });

  it('delivers send() to the running session', async () => {
    // The tool runs until the test has sent its message, so the session is surely still running.
    const run = await start([
      useTool(
        'Bash',
        { command: 'until [ -e go.flag ]; do sleep 0.05; done', description: 'Think' },
        'Thinking.',
      ),
      say('Done, with the changelog.'),
    ]);
    await run.when((event) => event.type === 'tool_call');
    await run.session.send('Also add a CHANGELOG entry.');
    await writeFile(path.join(run.cwd, 'go.flag'), '');
    const result = await run.done;

    expect(result.status).toBe('succeeded');
    const all = run.server.turnRequests.map((request) => JSON.stringify(request.body)).join('\n');
    expect(all).toContain('Also add a CHANGELOG entry.');
    await expect(run.session.send('too late')).rejects.toMatchObject({ code: 'GAFFER_BAD_INPUT' });
  });

  it('runs messages sent during a final reply as more turns, and stays steerable meanwhile', async () => {
    const run = await start([
      say('Finished the task.', 1000),
      say('Added the changelog.', 1000),
      say('Bumped the version.'),
    ]);
    const requests = (count: number) =>
      waitFor(() => run.server.turnRequests.length >= count, `model request ${count}`);
    // Each message arrives while the model is still writing the answer that would end the session.
    await requests(1);
    await run.session.send('Also add a CHANGELOG entry.');
    await requests(2);
    await run.session.send('And bump the version.');
    const result = await run.done;

    expect(result.status).toBe('succeeded');
    expect(run.server.turnRequests).toHaveLength(3);
    expect(seenByModel(run.server, 1)).toContain('Also add a CHANGELOG entry.');
    expect(seenByModel(run.server, 2)).toContain('And bump the version.');
    const texts = run.events
      .filter((event) => event.type === 'text')
      .map((event) => event.type === 'text' && event.text);
    expect(texts).toEqual(['Finished the task.', 'Added the changelog.', 'Bumped the version.']);
  });

  it('routes ask_question to input.ask and returns the answer to the model', async () => {
    const ask = vi.fn(async (question: string) => `Use PostgreSQL (you asked: ${question})`);
    const run = await start(
      [useTool('mcp__gaffer__ask_question', { question: 'Which database?' }), say('Going with PostgreSQL.')],
      { input: { ask } },
    );
    const result = await run.done;

    expect(result.status).toBe('succeeded');
    expect(ask).toHaveBeenCalledExactlyOnceWith('Which database?');
    expect(run.events).toContainEqual({
      type: 'question',
      question: 'Which database?',
      answer: 'Use PostgreSQL (you asked: Which database?)',
    });
    expect(seenByModel(run.server, 1)).toContain('Use PostgreSQL (you asked: Which database?)');
  });

  it.each([
    [503, 'upstream is down', /503.*retry the task later/s],
    [429, 'slow down', /429.*rate limited/s],
  ])('fails clearly after retrying a persistent %i', async (status, message, expected) => {
    const run = await start([failWith(status, message, Infinity)], { config: { max_retries: 1 } });
    const result = await run.done;

    expect(result.status).toBe('failed');
    expect(result.error).toMatch(expected);
    expect(result.error).toContain(message);
    expect(run.server.turnRequests).toHaveLength(2); // the first try and one retry
    expect(run.events).toContainEqual(
      expect.objectContaining({
        type: 'output',
        stream: 'stderr',
        text: expect.stringContaining(`HTTP ${status}`) as string,
      }),
    );
  });

  it('fails clearly on a malformed stream', async () => {
    const run = await start([malformed(), malformed(), malformed()]);
    const result = await run.done;

    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/malformed response/);
  });

  it('fails after timeout_s when the model never answers', async () => {
    const run = await start([hang()], { config: { timeout_s: 2 } });
    const result = await run.done;

    expect(result).toMatchObject({ status: 'failed', error: 'timed out after 2s' });
    const left = await processesInDir(run.cwd);
    if (left !== undefined) expect(left).toEqual([]);
  });
});
