import type { ThreadEvent } from '@openai/codex-sdk';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../domain/index.js';
import type { ModelPrice } from '../pricing.js';
import { createCodexEventTranslator } from './codex-events.js';

function translate(events: ThreadEvent[], price: ModelPrice = { input: 1, output: 10, cached_input: 0.1 }) {
  const seen: AgentEvent[] = [];
  const translator = createCodexEventTranslator({ cwd: '/w/task', emit: (event) => seen.push(event), price });
  for (const event of events) translator.handle(event);
  return { seen, state: translator.state };
}

const usage = {
  input_tokens: 1000,
  cached_input_tokens: 400,
  cache_write_input_tokens: 0,
  output_tokens: 100,
  reasoning_output_tokens: 0,
};

describe('createCodexEventTranslator', () => {
  it('turns a codex turn into text, tool calls with results, and usage', () => {
    const { seen, state } = translate([
      { type: 'thread.started', thread_id: 'thread-1' },
      { type: 'turn.started' },
      { type: 'item.completed', item: { id: 'r', type: 'reasoning', text: 'thinking' } },
      {
        type: 'item.completed',
        item: { id: 'w', type: 'error', message: 'Model metadata for `x` not found.' },
      },
      {
        type: 'item.started',
        item: {
          id: 'c1',
          type: 'command_execution',
          command: 'ls',
          aggregated_output: '',
          status: 'in_progress',
        },
      },
      {
        type: 'item.completed',
        item: {
          id: 'c1',
          type: 'command_execution',
          command: 'ls',
          aggregated_output: 'a\n',
          exit_code: 0,
          status: 'completed',
        },
      },
      {
        type: 'item.completed',
        item: {
          id: 'c2',
          type: 'command_execution',
          command: 'false',
          aggregated_output: '',
          exit_code: 1,
          status: 'failed',
        },
      },
      {
        type: 'item.started',
        item: {
          id: 'p',
          type: 'file_change',
          changes: [{ path: '/w/task/src/a.ts', kind: 'update' }],
          status: 'completed',
        },
      },
      {
        type: 'item.completed',
        item: {
          id: 'p',
          type: 'file_change',
          changes: [
            { path: '/w/task/src/a.ts', kind: 'update' },
            { path: '/elsewhere/b', kind: 'add' },
          ],
          status: 'completed',
        },
      },
      {
        type: 'item.completed',
        item: {
          id: 'm',
          type: 'mcp_tool_call',
          server: 'docs',
          tool: 'search',
          arguments: { q: 'x' },
          result: { content: [{ type: 'text', text: 'found' }], structured_content: null },
          status: 'completed',
        },
      },
      {
        type: 'item.updated',
        item: { id: 't', type: 'todo_list', items: [{ text: 'step', completed: false }] },
      },
      { type: 'item.completed', item: { id: 'a', type: 'agent_message', text: 'All done.' } },
      { type: 'turn.completed', usage },
    ]);
    expect(seen).toMatchInlineSnapshot(`
      [
        {
          "nativeSessionId": "thread-1",
          "type": "session",
        },
        {
          "stream": "stderr",
          "text": "codex warning: Model metadata for \`x\` not found.",
          "type": "output",
        },
        {
          "id": "c1",
          "input": {
            "command": "ls",
          },
          "name": "shell",
          "type": "tool_call",
        },
        {
          "id": "c1",
          "output": "a
      ",
          "type": "tool_result",
        },
        {
          "id": "c2",
          "input": {
            "command": "false",
          },
          "name": "shell",
          "type": "tool_call",
        },
        {
          "id": "c2",
          "isError": true,
          "output": "
      (exit code 1)",
          "type": "tool_result",
        },
        {
          "id": "p",
          "input": {
            "changes": [
              {
                "kind": "update",
                "path": "src/a.ts",
              },
            ],
          },
          "name": "apply_patch",
          "type": "tool_call",
        },
        {
          "id": "p",
          "output": "M src/a.ts
      A /elsewhere/b",
          "type": "tool_result",
        },
        {
          "id": "m",
          "input": {
            "q": "x",
          },
          "name": "mcp__docs__search",
          "type": "tool_call",
        },
        {
          "id": "m",
          "output": "found",
          "type": "tool_result",
        },
        {
          "text": "All done.",
          "type": "text",
        },
        {
          "type": "usage",
          "usage": {
            "cachedInputTokens": 400,
            "costUsd": 0.00164,
            "inputTokens": 1000,
            "outputTokens": 100,
          },
        },
      ]
    `);
    expect(state).toMatchObject({ threadId: 'thread-1', completed: true });
  });

  it('sums usage over turns, and usage events carry the running total', () => {
    const { seen, state } = translate([
      { type: 'turn.completed', usage },
      { type: 'turn.completed', usage },
    ]);
    expect(state.usage).toEqual({
      inputTokens: 2000,
      cachedInputTokens: 800,
      outputTokens: 200,
      costUsd: 0.00328,
    });
    expect(seen.at(-1)).toEqual({ type: 'usage', usage: state.usage });
  });

  it('counts no cost for a model without a known price', () => {
    const seen: AgentEvent[] = [];
    const translator = createCodexEventTranslator({
      cwd: '/w',
      emit: (event) => seen.push(event),
      price: undefined,
    });
    translator.handle({ type: 'turn.completed', usage });
    expect(translator.state.usage.costUsd).toBe(0);
  });

  it('records failures and keeps retry notices out of the error events', () => {
    const { seen, state } = translate([
      { type: 'error', message: 'Reconnecting... 1/2 (stream disconnected)' },
      { type: 'error', message: 'stream disconnected' },
      { type: 'turn.failed', error: { message: 'stream disconnected' } },
    ]);
    expect(state).toMatchObject({
      failure: 'stream disconnected',
      lastError: 'stream disconnected',
      completed: false,
    });
    expect(seen.map((event) => event.type)).toEqual(['output', 'output']);
  });
});
