import { describe, expect, it } from 'vitest';
import { agentFailure, GafferError } from '../domain/index.js';
import type { AgentEvent, SessionResult } from '../domain/index.js';
import { createSession, SESSION_HIGH_WATER_MARK } from './session.js';

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
    expect(await session.result).toEqual({
      status: 'failed',
      error: 'boom',
      nativeSessionId: 'native-1',
      failure: { kind: 'crashed', retryable: true, message: 'boom' },
    });
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

  it('types a failure the backend left untyped as task_failed, and keeps a typed one', async () => {
    const start = (result: SessionResult) =>
      createSession({
        agent: 'test',
        cwd: process.cwd(),
        signal: new AbortController().signal,
        run: async () => result,
      }).result;
    expect((await start({ status: 'failed', error: 'tests fail' })).failure).toEqual({
      kind: 'task_failed',
      retryable: false,
      message: 'tests fail',
    });
    const typed = agentFailure('rate_limited', '429', { retryAfterMs: 10 });
    expect((await start({ status: 'failed', error: '429', failure: typed })).failure).toEqual(typed);
  });

  it('fails a session in a missing cwd as a config failure', async () => {
    const session = createSession({
      agent: 'test',
      cwd: '/no/such/gaffer/worktree',
      signal: new AbortController().signal,
      run: async () => ({ status: 'succeeded' }),
    });
    expect((await session.result).failure).toMatchObject({ kind: 'config', retryable: false });
  });

  it('tells its producer how far the reader is behind', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const seen: { queued: number; full: boolean }[] = [];
    const session = createSession({
      agent: 'test',
      cwd: process.cwd(),
      signal: new AbortController().signal,
      run: async (emit, backlog) => {
        for (let index = 0; index < SESSION_HIGH_WATER_MARK; index += 1)
          emit({ type: 'text', text: String(index) });
        seen.push({ queued: backlog.queued, full: backlog.full });
        release();
        await backlog.whenWritable();
        seen.push({ queued: backlog.queued, full: backlog.full });
        return { status: 'succeeded' };
      },
    });
    await released;
    const events = await drain(session.events);
    expect(events).toHaveLength(SESSION_HIGH_WATER_MARK);
    expect(seen[0]).toEqual({ queued: SESSION_HIGH_WATER_MARK, full: true });
    expect(seen[1]?.full).toBe(false);
    expect(seen[1]?.queued).toBeLessThanOrEqual(SESSION_HIGH_WATER_MARK / 2);
    expect(await session.result).toEqual({ status: 'succeeded' });
  });
});
