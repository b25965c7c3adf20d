import { symlinkSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord, StoredEvent } from '../../src/domain/index.js';
import { serverFor, TOKEN, QUICK_PLAN } from './harness.js';

/** The `data:` of every message of an SSE body, parsed, and whether it ended with `end`. */
function sseEvents(text: string): { events: StoredEvent[]; ended: boolean } {
  const frames = text.split('\n\n').filter((f) => f.trim() !== '');
  const events: StoredEvent[] = [];
  let ended = false;
  for (const frame of frames) {
    const data = frame
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trim())
      .join('');
    if (frame.includes('event: end')) ended = true;
    else if (data) events.push(JSON.parse(data) as StoredEvent);
  }
  return { events, ended };
}

describe('the HTTP API, hardened', () => {
  it('an event stream opened right after the start follows the run to its end, not out at "pending"', async () => {
    const { api, app } = await serverFor(QUICK_PLAN);
    const started = await api<{ run: RunRecord }>('POST', '/api/runs', { body: { plan: 'plan.yaml' } });
    const runId = started.body.run.id;
    const response = await app.request(`/api/events?run=${runId}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const { events, ended } = sseEvents(await response.text());
    expect(ended).toBe(true);
    expect(events.map((e) => e.type)).toContain('run.completed');
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('takes the token from the URL only on the event stream, and refuses writes from another site', async () => {
    const { api, engine } = await serverFor(QUICK_PLAN);
    const before = await engine.listRuns();
    const viaQuery = await api('POST', `/api/runs?token=${TOKEN}`, {
      body: { plan: 'plan.yaml' },
      token: null,
    });
    expect(viaQuery.status).toBe(401);
    const foreign = await api('POST', '/api/runs', {
      body: { plan: 'plan.yaml' },
      headers: { origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const crossSite = await api('POST', '/api/runs', {
      body: { plan: 'plan.yaml' },
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(await engine.listRuns()).toEqual(before);
    // A GET with the token in the URL is refused too: only EventSource needs it there.
    expect((await api('GET', `/api/runs?token=${TOKEN}`, { token: null })).status).toBe(401);
  });

  it('refuses a plan that is a link to a file outside the repository, and a body over 1 MiB', async () => {
    const outside = join(mkdtempSync(join(tmpdir(), 'gaffer-outside-')), 'secret.yaml');
    writeFileSync(outside, QUICK_PLAN);
    const { api, engine, repo } = await serverFor(QUICK_PLAN);
    symlinkSync(outside, join(repo, 'linked.yaml'));
    const linked = await api('POST', '/api/runs', { body: { plan: 'linked.yaml' } });
    expect(linked.status).toBe(400);
    expect(linked.body.error?.message).toContain('not inside the served repository');
    const big = await api('POST', '/api/runs', {
      raw: JSON.stringify({ plan: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(await engine.listRuns()).toEqual([]);
  });
});
