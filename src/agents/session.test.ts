import { describe, expect, it } from 'vitest';
import { GafferError } from '../domain/index.js';
import type { AgentEvent } from '../domain/index.js';
import { createSession } from './session.js';

async function drain(events: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const seen: AgentEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('createSession', () => {
  it('turns a crash into a failed result and an error event', async () => {
    const session = createSession({
      agent: 'test',
      cwd: process.cwd(),
      signal: new AbortController().signal,
      nativeSessionId: 'native-1',
      run: async (emit) => {
        emit({ type: 'text', text: 'hi' });
        throw new Error('boom');
      },
    });
    expect(await session.result).toEqual({ status: 'failed', error: 'boom', nativeSessionId: 'native-1' });
    expect(await drain(session.events)).toEqual([
      { type: 'text', text: 'hi' },
      { type: 'error', message: 'boom' },
    ]);
  });

  it('reports a failure after an abort as aborted', async () => {
    const controller = new AbortController();
    const session = createSession({
      agent: 'test',
      cwd: process.cwd(),
      signal: controller.signal,
      run: async () => {
        controller.abort();
        throw new Error('killed');
      },
    });
    expect(await session.result).toEqual({ status: 'aborted', error: 'aborted' });
  });

  it('rejects send() with a GafferError when the backend cannot be steered', async () => {
    const session = createSession({
      agent: 'test',
      cwd: process.cwd(),
      signal: new AbortController().signal,
      run: async () => ({ status: 'succeeded' }),
    });
    await expect(session.send('hi')).rejects.toSatisfy((error: unknown) => GafferError.isInstance(error));
    await expect(session.send('hi')).rejects.toThrow('the test agent cannot be steered');
    expect(await session.result).toEqual({ status: 'succeeded' });
  });
});
