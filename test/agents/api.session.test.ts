import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiAgent } from '../../src/agents/api/index.js';
import type { AgentEvent, AgentSession, SessionInput, SessionResult } from '../../src/domain/index.js';
import { startAnthropicServer, say, useTool } from '../fixtures/model-servers/anthropic-messages-server.js';
import { startChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatScript, ChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import { streamChunks } from '../fixtures/model-servers/openai-chat-sse.js';
import { sendSse, startScriptedServer, startSse } from '../fixtures/model-servers/scripted-server.js';
import { waitFor } from '../support/wait-for.js';
import { sessionInput } from './session-input.js';

/** An asymmetric matcher typed as the string it stands for. */
const matching = (pattern: RegExp | string): string =>
  (typeof pattern === 'string' ? expect.stringContaining(pattern) : expect.stringMatching(pattern)) as string;

let cwd: string;
let server: ChatServer | undefined;

beforeEach(async () => {
  cwd = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-api-session-')));
  await writeFile(path.join(cwd, 'AGENTS.md'), '# Rules of this repo\nUse two-space indentation.\n');
  await writeFile(path.join(cwd, 'notes.md'), 'first line\n');
  execFileSync('git', ['init', '-q'], { cwd });
  execFileSync('git', ['add', '.'], { cwd });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(cwd, { recursive: true, force: true });
});

async function collect(session: AgentSession): Promise<{ events: AgentEvent[]; result: SessionResult }> {
  const events: AgentEvent[] = [];
  for await (const event of session.events) events.push(event);
  return { events, result: await session.result };
}

async function run(
  script: ChatScript,
  config: Record<string, unknown> = {},
  overrides: Partial<SessionInput> = {},
  hook?: (session: AgentSession) => void,
) {
  server = await startChatServer(script);
  const session = createApiAgent().start(
    sessionInput({
      cwd,
      prompt: 'Task: extend notes.md.',
      config: { base_url: server.baseURL, model: 'test-model', ...config },
      ...overrides,
    }),
    new AbortController().signal,
  );
  hook?.(session);
  return { ...(await collect(session)), exchanges: server.exchanges };
}

/** The compact shape of an event stream, for order assertions. */
const shape = (events: AgentEvent[]) =>
  events.map((event) => {
    if (event.type === 'tool_call') return `call ${event.name} ${event.id ?? ''}`;
    if (event.type === 'tool_result') return `result ${event.id ?? ''}${event.isError ? ' error' : ''}`;
    return event.type;
  });

/** The content the model saw for its tool calls in the request after them. */
const toolMessages = (body: { messages?: { role: string; content?: unknown }[] } | undefined) =>
  (body?.messages ?? [])
    .filter((message) => message.role === 'tool')
    .map((message) => String(message.content));

describe('api agent session', () => {
  it('writes then edits a file, finishes, and reports events, usage and cost', async () => {
    const { events, result, exchanges } = await run(
      [
        {
          text: 'Writing.',
          toolCalls: [
            {
              name: 'write_file',
              arguments: { path: 'src/greet.ts', content: 'export const greet = "hi";\n' },
            },
          ],
        },
        {
          toolCalls: [
            {
              name: 'edit_file',
              arguments: { path: 'src/greet.ts', old_string: '"hi"', new_string: '"hello"' },
            },
          ],
        },
        { text: 'Done: src/greet.ts greets.' },
      ],
      { pricing: { input: 1, output: 2, cached_input: 0.5 } },
    );
    expect(result.status).toBe('succeeded');
    expect(await readFile(path.join(cwd, 'src/greet.ts'), 'utf8')).toBe('export const greet = "hello";\n');
    expect(shape(events)).toEqual([
      'text',
      'call write_file call_1',
      'result call_1',
      'usage',
      'call edit_file call_2',
      'result call_2',
      'usage',
      'text',
      'usage',
    ]);
    expect(events[0]).toEqual({ type: 'text', text: 'Writing.' });
    expect(events[2]).toEqual({
      type: 'tool_result',
      id: 'call_1',
      output: 'wrote 27 bytes to src/greet.ts',
    });

    const reported = exchanges.map((exchange) => exchange.usage);
    const sum = (pick: (usage: (typeof reported)[number]) => number) =>
      reported.reduce((total, usage) => total + pick(usage), 0);
    const input = sum((usage) => usage.prompt_tokens);
    const cached = sum((usage) => usage.prompt_tokens_details.cached_tokens);
    const output = sum((usage) => usage.completion_tokens);
    expect(cached).toBeGreaterThan(0);
    expect(result.usage).toMatchObject({
      inputTokens: input,
      cachedInputTokens: cached,
      outputTokens: output,
    });
    expect(result.usage?.costUsd).toBeCloseTo(
      ((input - cached) * 1 + cached * 0.5 + output * 2) / 1_000_000,
      12,
    );
    expect(events.at(-1)).toEqual({ type: 'usage', usage: result.usage });
  });

  it('sends the stable prefix as the system message and the task as the first user message', async () => {
    const { exchanges } = await run(
      [{ text: 'Nothing to do.' }],
      {},
      {
        task: { ...sessionInput({ cwd }).task, context_files: ['notes.md'] },
      },
    );
    const [system, user] = exchanges[0]?.body.messages ?? [];
    expect(system?.role).toBe('system');
    expect(String(system?.content)).toContain('# Repository instructions (AGENTS.md)\n# Rules of this repo');
    expect(String(system?.content)).toContain('./: AGENTS.md, notes.md');
    expect(system?.content).not.toContain(cwd);
    expect(user).toEqual({
      role: 'user',
      content: 'Task: extend notes.md.\n\n## Context files\n<file path="notes.md">\nfirst line\n</file>',
    });
    expect(exchanges[0]?.body.stream).toBe(true);
    expect(exchanges[0]?.body.stream_options).toEqual({ include_usage: true });
  });

  it('refuses writes outside the worktree, to .git and to protected paths, and tells the model', async () => {
    const { events, result, exchanges } = await run(
      [
        {
          toolCalls: [
            { name: 'write_file', arguments: { path: '../escape.txt', content: 'x' } },
            { name: 'write_file', arguments: { path: '.git/config', content: 'x' } },
            { name: 'write_file', arguments: { path: 'dist/bundle.js', content: 'x' } },
          ],
        },
        { text: 'Understood, I will not touch those.' },
      ],
      {},
      { protectedPaths: ['dist/**'] },
    );
    expect(result.status).toBe('succeeded');
    const denied = events.filter((event) => event.type === 'denied');
    expect(denied.map((event) => event.type === 'denied' && [event.tool, event.reason])).toEqual([
      ['write_file', expect.stringContaining("outside the task's worktree")],
      ['write_file', expect.stringContaining('.git/config is a protected path')],
      ['write_file', expect.stringContaining('dist/bundle.js is a protected path')],
    ]);
    // Each refusal sits between its call and its result.
    expect(shape(events).slice(0, 9)).toEqual([
      'call write_file call_1',
      'call write_file call_2',
      'call write_file call_3',
      'denied',
      'result call_1 error',
      'denied',
      'result call_2 error',
      'denied',
      'result call_3 error',
    ]);
    const seen = toolMessages(exchanges[1]?.body);
    expect(seen).toHaveLength(3);
    for (const message of seen) expect(message).toMatch(/^refused by Gaffer's permission policy: /);
    await expect(readFile(path.join(path.dirname(cwd), 'escape.txt'))).rejects.toThrow(/ENOENT/);
    expect(await readFile(path.join(cwd, '.git/config'), 'utf8')).not.toContain('x\n');
  });

  it('denies credential reads, reports exit codes and honours command timeouts', async () => {
    const { events, result, exchanges } = await run(
      [
        { toolCalls: [{ name: 'run_command', arguments: { command: 'cat ~/.ssh/id_rsa' } }] },
        {
          toolCalls: [
            { name: 'run_command', arguments: { command: `"${process.execPath}" -e "process.exit(3)"` } },
          ],
        },
        { toolCalls: [{ name: 'run_command', arguments: { command: 'sleep 20' } }] },
        { text: 'done' },
      ],
      { command_timeout_s: 0.5 },
    );
    expect(result.status).toBe('succeeded');
    expect(events.find((event) => event.type === 'denied')).toEqual({
      type: 'denied',
      tool: 'run_command',
      input: { command: 'cat ~/.ssh/id_rsa' },
      reason: matching('reading credentials'),
    });
    expect(toolMessages(exchanges[3]?.body)).toEqual([
      expect.stringMatching(/^refused by Gaffer's permission policy: denied: reading credentials/),
      'exit code 3 (no output)',
      'timed out after 0.5s; the command was killed (no output)',
    ]);
  });

  it('routes questions to the engine and the answer back to the model', async () => {
    const { events, exchanges } = await run(
      [
        { toolCalls: [{ name: 'ask_question', arguments: { question: 'Tabs or spaces?' } }] },
        { text: 'Using spaces.' },
      ],
      {},
      { ask: async () => 'Spaces, two of them.' },
    );
    expect(events).toContainEqual({
      type: 'question',
      question: 'Tabs or spaces?',
      answer: 'Spaces, two of them.',
    });
    expect(toolMessages(exchanges[1]?.body)).toEqual(['Spaces, two of them.']);
  });

  it('weaves steering messages into the conversation, even after the model thought it was done', async () => {
    let session: AgentSession | undefined;
    const steer = (message: string) => void session?.send(message);
    const { result, exchanges } = await run(
      ({ turn }) => {
        if (turn === 0) {
          steer('Use a bullet list.');
          return { toolCalls: [{ name: 'write_file', arguments: { path: 'a.md', content: '- a\n' } }] };
        }
        if (turn === 1) {
          steer('Also add b.');
          return { text: 'Wrote a.md.' };
        }
        return { text: 'Added b too.' };
      },
      {},
      {},
      (started) => (session = started),
    );
    expect(result.status).toBe('succeeded');
    const roles = (index: number) =>
      (exchanges[index]?.body.messages ?? []).map((message) =>
        message.role === 'user' ? `user:${String(message.content).slice(0, 20)}` : message.role,
      );
    expect(roles(1)).toEqual([
      'system',
      'user:Task: extend notes.m',
      'assistant',
      'tool',
      'user:Use a bullet list.',
    ]);
    expect(roles(2)).toEqual([
      'system',
      'user:Task: extend notes.m',
      'assistant',
      'tool',
      'user:Use a bullet list.',
      'assistant',
      'user:Also add b.',
    ]);
    await expect(session?.send('too late')).rejects.toThrow(/already ended/);
  });

  it('marks the Anthropic system prefix for prompt caching and reads cached tokens', async () => {
    const anthropic = await startAnthropicServer(
      [useTool('write_file', { path: 'a.txt', content: 'a\n' }), say('Done.')],
      {
        usage: {
          input_tokens: 100,
          output_tokens: 10,
          cache_read_input_tokens: 900,
          cache_creation_input_tokens: 0,
        },
      },
    );
    try {
      const session = createApiAgent().start(
        sessionInput({
          cwd,
          config: {
            provider: 'anthropic',
            base_url: `${anthropic.url}/v1`,
            model: 'claude-sonnet-4-5',
            env: ['ANTHROPIC_API_KEY'],
          },
          env: { PATH: process.env.PATH ?? '', ANTHROPIC_API_KEY: 'sk-test' },
        }),
        new AbortController().signal,
      );
      const { result } = await collect(session);
      expect(result.error).toBeUndefined();
      expect(await readFile(path.join(cwd, 'a.txt'), 'utf8')).toBe('a\n');
      const body = anthropic.turnRequests[0]?.body as {
        system?: { text: string; cache_control?: unknown }[];
      };
      expect(body.system?.[0]?.cache_control).toEqual({ type: 'ephemeral' });
      expect(body.system?.[0]?.text).toContain('You are a coding agent working for Gaffer');
      expect(anthropic.turnRequests[0]?.headers['x-api-key']).toBe('sk-test');
      // Anthropic counts cache reads apart; Gaffer's input includes them, as the SDK reports.
      expect(result.usage).toMatchObject({ inputTokens: 2_000, cachedInputTokens: 1_800, outputTokens: 20 });
      expect(result.usage?.costUsd).toBeCloseTo((200 * 3 + 1_800 * 0.3 + 20 * 15) / 1_000_000, 10);
    } finally {
      await anthropic.close();
    }
  });

  it('keeps the text streamed so far when the session is aborted mid-answer (a timeout)', async () => {
    // The model starts its answer, then never finishes it.
    let sent = false;
    const stalling = await startScriptedServer((_request, response) => {
      startSse(response);
      const chunks = streamChunks({ id: 'c', model: 'test-model', text: 'I will write', toolCalls: [] });
      for (const chunk of chunks.slice(0, 2)) sendSse(response, chunk);
      response.write('', () => (sent = true));
    });
    try {
      const abort = new AbortController();
      const session = createApiAgent().start(
        sessionInput({ cwd, config: { base_url: `${stalling.url}/v1`, model: 'test-model' } }),
        abort.signal,
      );
      const collected = collect(session);
      await waitFor(() => sent, 'the model to stream the start of its answer');
      abort.abort();
      const { events, result } = await collected;
      expect(result.status).toBe('aborted');
      expect(events.filter((e) => e.type === 'text')).toEqual([{ type: 'text', text: 'I will write' }]);
    } finally {
      await stalling.close();
    }
  });
});
