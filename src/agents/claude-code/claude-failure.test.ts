import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { crashFailure, resultFailure } from './claude-failure.js';

// Result messages carry many bookkeeping fields the mapping never reads.
const result = (fields: Record<string, unknown>) =>
  ({
    type: 'result',
    subtype: 'success',
    is_error: true,
    result: '',
    errors: [],
    ...fields,
  }) as unknown as SDKResultMessage;

describe('claude-code failure kinds', () => {
  it.each([
    [429, 'rate_limited', true],
    [529, 'server_error', true],
    [500, 'server_error', true],
    [401, 'auth', false],
    [403, 'auth', false],
    [404, 'config', false],
    [400, 'config', false],
  ] as const)('maps api_error_status %i to %s', (status, kind, retryable) => {
    expect(resultFailure(result({ api_error_status: status }), 'x')).toMatchObject({
      kind,
      retryable,
      message: 'x',
    });
  });

  it('reads credential trouble from the text when there is no status', () => {
    const failure = resultFailure(result({ result: 'Invalid API key · Please run /login' }), 'bad key');
    expect(failure).toMatchObject({
      kind: 'auth',
      retryable: false,
      hint: expect.stringContaining('ANTHROPIC_API_KEY') as string,
    });
    expect(resultFailure(result({ result: 'something odd' }), 'odd').kind).toBe('crashed');
  });

  it('counts max_turns and the budget as the task failing, execution errors as crashes', () => {
    expect(resultFailure(result({ subtype: 'error_max_turns', is_error: true }), 'turns').kind).toBe(
      'task_failed',
    );
    expect(resultFailure(result({ subtype: 'error_max_budget_usd' }), 'budget').kind).toBe('task_failed');
    expect(resultFailure(result({ subtype: 'error_during_execution', errors: ['boom'] }), 'boom').kind).toBe(
      'crashed',
    );
    expect(
      resultFailure(result({ subtype: 'error_during_execution', errors: ['API Error: 529 overloaded'] }), 'x')
        .kind,
    ).toBe('server_error');
  });

  it('types a process that died without a result', () => {
    expect(crashFailure('Claude Code process exited with code 1')).toMatchObject({
      kind: 'crashed',
      retryable: true,
    });
    expect(crashFailure('exited with code 1\nauthentication_error: invalid x-api-key').kind).toBe('auth');
  });
});
