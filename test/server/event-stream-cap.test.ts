import { describe, expect, it, onTestFinished } from 'vitest';
import type { RunRecord } from '../../src/domain/index.js';
import { startServer } from '../../src/server/index.js';
import { waitFor } from '../support/wait-for.js';
import { gate, gatedPlan, serverFor, taskRunning } from './harness.js';

describe('GET /api/events, capped', () => {
  it('refuses a stream past the cap with 503 and Retry-After, and frees a slot when a stream ends', async () => {
    const g = gate();
    const { engine, repo } = await serverFor(gatedPlan(g), { 'gate.mjs': g.script });
    const server = await startServer(engine, { port: 0, repoRoot: repo, maxEventStreams: 2 });
    onTestFinished(() => server.close());
    const auth = { authorization: `Bearer ${server.token}` };
    const started = await fetch(`${server.origin}/api/runs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ plan: 'plan.yaml' }),
    });
    const runId = ((await started.json()) as { run: RunRecord }).run.id;
    await taskRunning(engine, runId, 'slow'); // the run goes on until the gate opens: streams stay open

    const open = (signal?: AbortSignal) =>
      fetch(`${server.origin}/api/events?run=${runId}`, { headers: auth, ...(signal ? { signal } : {}) });
    const hangUp = new AbortController();
    const first = await open(hangUp.signal);
    const second = await open();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(server.app.eventStreams.open).toBe(2);

    const refused = await open();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('GAFFER_BUSY');
    expect(server.app.eventStreams.open).toBe(2);

    // A client that hangs up gives its slot back, and the next stream is served.
    hangUp.abort();
    await waitFor(() => server.app.eventStreams.open === 1, 'the closed stream to free its slot');
    const third = await open();
    expect(third.status).toBe(200);

    // Streams that end with their run give theirs back too.
    g.open();
    const [secondText, thirdText] = await Promise.all([second.text(), third.text()]);
    for (const text of [secondText, thirdText]) expect(text).toContain('event: end');
    await waitFor(() => server.app.eventStreams.open === 0, 'the ended streams to free their slots');
  });
});
