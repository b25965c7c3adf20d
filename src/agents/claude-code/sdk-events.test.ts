import type { SDKMessage, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { eventsOf, resultError, usageOf } from './sdk-events.js';

// SDK messages carry many bookkeeping fields the mapping never reads; tests spell out only the rest.
const message = (fields: Record<string, unknown>) => fields as unknown as SDKMessage;
const result = (fields: Record<string, unknown>) =>
  ({
    type: 'result',
    subtype: 'success',
    is_error: false,
    result: '',
    modelUsage: {},
    total_cost_usd: 0,
    num_turns: 1,
    ...fields,
  }) as unknown as SDKResultMessage;

describe('claude-code SDK messages → events', () => {
  it('turns assistant text and tool calls into events, in order', () => {
    const assistant = message({
      type: 'assistant',
      message: {
        content: [
          { type: 'thinking', thinking: 'hmm' },
          { type: 'text', text: 'Looking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: 'a.ts' } },
        ],
      },
    });
    expect(eventsOf(assistant)).toEqual([
      { type: 'text', text: 'Looking.' },
      { type: 'tool_call', id: 'toolu_1', name: 'Read', input: { file_path: 'a.ts' } },
    ]);
  });

  it('leaves out synthetic API-error messages, which the result reports', () => {
    const apiError = message({
      type: 'assistant',
      error: 'server_error',
      message: { content: [{ type: 'text', text: 'API Error: 500' }] },
    });
    expect(eventsOf(apiError)).toEqual([]);
  });

  it('turns tool results into events, joining text blocks', () => {
    const user = message({
      type: 'user',
      message: {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'file body' },
          {
            type: 'tool_result',
            tool_use_id: 'toolu_2',
            content: [{ type: 'text', text: 'a' }, { type: 'image' }],
            is_error: true,
          },
        ],
      },
    });
    expect(eventsOf(user)).toEqual([
      { type: 'tool_result', id: 'toolu_1', output: 'file body' },
      { type: 'tool_result', id: 'toolu_2', output: 'a\n[image]', isError: true },
    ]);
    expect(
      eventsOf(
        message({ type: 'user', message: { role: 'user', content: 'our own prompt' }, isReplay: true }),
      ),
    ).toEqual([]);
  });

  it('reports Claude Code’s retries as stderr output', () => {
    const retry = message({
      type: 'system',
      subtype: 'api_retry',
      attempt: 2,
      max_retries: 10,
      retry_delay_ms: 1500,
      error_status: 529,
      error: 'overloaded',
    });
    expect(eventsOf(retry)).toEqual([
      {
        type: 'output',
        stream: 'stderr',
        text: 'model API error (HTTP 529); Claude Code retries in 1.5s (attempt 2/10)',
      },
    ]);
    expect(eventsOf(message({ type: 'system', subtype: 'init' }))).toEqual([]);
  });
});

describe('claude-code results', () => {
  it('sums per-model usage, counting cache reads and writes as input', () => {
    const usage = usageOf(
      result({
        total_cost_usd: 0.25,
        modelUsage: {
          'claude-sonnet-4-5': {
            inputTokens: 100,
            outputTokens: 50,
            cacheReadInputTokens: 1000,
            cacheCreationInputTokens: 200,
            webSearchRequests: 0,
            costUSD: 0.2,
            contextWindow: 1,
            maxOutputTokens: 1,
          },
          'claude-haiku-4-5': {
            inputTokens: 10,
            outputTokens: 5,
            cacheReadInputTokens: 0,
            cacheCreationInputTokens: 0,
            webSearchRequests: 0,
            costUSD: 0.05,
            contextWindow: 1,
            maxOutputTokens: 1,
          },
        },
      }),
    );
    expect(usage).toEqual({ inputTokens: 1310, outputTokens: 55, cachedInputTokens: 1000, costUsd: 0.25 });
  });

  it('prices the session with the plan’s pricing when it covers every model used', () => {
    const model = (inputTokens: number, outputTokens: number) => ({
      inputTokens,
      outputTokens,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 0,
      webSearchRequests: 0,
      costUSD: 9,
      contextWindow: 1,
      maxOutputTokens: 1,
    });
    const session = result({
      total_cost_usd: 9,
      modelUsage: { 'claude-sonnet-4-5': model(1_000_000, 0), 'claude-haiku-4-5': model(0, 1_000_000) },
    });
    const pricing = { 'claude-sonnet': { input: 2, output: 10 }, 'claude-haiku': { input: 1, output: 4 } };
    expect(usageOf(session, pricing).costUsd).toBe(2 + 4);
    // A model the plan does not price: Claude Code's own estimate stands.
    expect(usageOf(session, { 'claude-sonnet': { input: 2, output: 10 } }).costUsd).toBe(9);
  });

  it('explains failures with what to do', () => {
    expect(resultError(result({ result: 'All done.' }))).toBeUndefined();
    expect(
      resultError(result({ is_error: true, api_error_status: 404, result: 'API Error: 404 model: nope' })),
    ).toBe(
      'API Error: 404 model: nope (check agents.claude-code.model and that ANTHROPIC_BASE_URL serves it)',
    );
    expect(resultError(result({ is_error: true, api_error_status: 401, result: 'API Error: 401' }))).toMatch(
      /ANTHROPIC_API_KEY/,
    );
    expect(resultError(result({ is_error: true, api_error_status: null, result: '' }))).toBe(
      'Claude Code reported an error',
    );
    expect(
      resultError(result({ subtype: 'error_max_turns', is_error: true, num_turns: 7, errors: [] })),
    ).toBe('stopped after reaching max_turns (7 turns)');
    expect(resultError(result({ subtype: 'error_during_execution', is_error: true, errors: ['boom'] }))).toBe(
      'Claude Code failed during execution: boom',
    );
  });
});
