import { request } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { RunRecord, StoredEvent } from '../../src/domain/index.js';
import type { Engine } from '../../src/engine/index.js';
import { startServer } from '../../src/server/index.js';
import { waitFor } from '../support/wait-for.js';
import { gate, gatedPlan, serverFor, taskRunning } from './harness.js';

interface Message {
  id?: string;
  event?: string;
  data: string;
}

/** Reads an SSE response frame by frame, until `stop` says so or the stream ends. */
async function readMessages(response: Response, stop: (m: Message) => boolean): Promise<Message[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const messages: Message[] = [];
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return messages;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message: Message = { data: '' };
        for (const line of frame.split('\n')) {
          const colon = line.indexOf(':');
          const [field, text] = [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')];
          if (field === 'id') message.id = text;
          if (field === 'event') message.event = text;
          if (field === 'data') message.data += text;
        }
        messages.push(message);
        if (stop(message)) return messages;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The engine, with a note of every event tail that has ended. */
function spyTails(engine: Engine) {
  const ended: string[] = [];
  const spied: Engine = {
    ...engine,
    tailEvents: (runId, options) =>
      (async function* () {
        try {
          yield* engine.tailEvents(runId, options);
        } finally {
          ended.push(runId);
        }
      })(),
  };
  return { spied, ended };
}

async function allEventIds(engine: Engine, runId: string): Promise<number[]> {
  const ids = [];
  for await (const e of engine.tailEvents(runId)) ids.push(e.id);
  return ids;
}

describe('GET /api/events (Server-Sent Events)', () => {
  it('a client that reconnects with Last-Event-ID mid-run misses nothing and sees nothing twice', async () => {
    const g = gate();
    const { engine, repo } = await serverFor(gatedPlan(g), { 'gate.mjs': g.script });
    const { spied, ended } = spyTails(engine);
    const server = await startServer(spied, { port: 0, repoRoot: repo });
    onTestFinished(() => server.close());
    const auth = { authorization: `Bearer ${server.token}` };
    const started = await fetch(`${server.origin}/api/runs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ plan: 'plan.yaml' }),
    });
    expect(started.status).toBe(201);
    const runId = ((await started.json()) as { run: RunRecord }).run.id;
    await taskRunning(engine, runId, 'slow');

    // First connection: read until the agent has said something, then hang up mid-run.
    const abort = new AbortController();
    const first = await fetch(`${server.origin}/api/events?run=${runId}`, {
      headers: auth,
      signal: abort.signal,
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/event-stream');
    const before = await readMessages(
      first,
      (m) => (JSON.parse(m.data) as StoredEvent).type === 'task.started',
    );
    abort.abort();
    // The server stops its tail once the client is gone, though the run still runs.
    await waitFor(() => ended.includes(runId), 'the server to end the tail of the closed stream');
    expect((await engine.getRun(runId)).status).toBe('running');

    g.open(); // the run moves on while nobody listens
    const lastId = before.at(-1)?.id ?? '';
    const second = await fetch(`${server.origin}/api/events?run=${runId}&after=0`, {
      headers: { ...auth, 'last-event-id': lastId },
    });
    const after = await readMessages(second, (m) => m.event === 'end');
    const end = after.pop();
    expect(end?.event).toBe('end');
    expect(JSON.parse(end?.data ?? '{}')).toMatchObject({ runId, status: 'completed' });

    const seen = [...before, ...after].map((m) => Number(m.id));
    expect(seen).toEqual(await allEventIds(engine, runId));
    expect(new Set(seen).size).toBe(seen.length);
    for (const m of [...before, ...after]) expect((JSON.parse(m.data) as StoredEvent).id).toBe(Number(m.id));
  });

  it('resumes after ?after= with the token in the query, as an EventSource reconnects', async () => {
    const { engine, repo, api } = await serverFor(`agent: script
autonomy: full_auto
tasks:
  - id: a
    title: A
    agent_config: { steps: [ { write: { path: a.txt, content: a } } ] }
`);
    const runId = (await api<{ run: RunRecord }>('POST', '/api/runs', { body: { plan: 'plan.yaml' } })).body
      .run.id;
    await waitFor(async () => (await engine.getRun(runId)).status === 'completed', 'the run to complete');
    const ids = await allEventIds(engine, runId);
    const server = await startServer(engine, { port: 0, repoRoot: repo });
    onTestFinished(() => server.close());
    const cut = ids[3] ?? 0;
    const res = await fetch(`${server.origin}/api/events?run=${runId}&after=${cut}&token=${server.token}`);
    const messages = await readMessages(res, (m) => m.event === 'end');
    expect(messages.slice(0, -1).map((m) => Number(m.id))).toEqual(ids.filter((id) => id > cut));

    const unauthorized = await fetch(`${server.origin}/api/events?run=${runId}`);
    expect(unauthorized.status).toBe(401);
    expect(((await unauthorized.json()) as { error: { code: string } }).error.code).toBe(
      'GAFFER_UNAUTHORIZED',
    );
    const badCursor = await fetch(`${server.origin}/api/events?run=${runId}`, {
      headers: { authorization: `Bearer ${server.token}`, 'last-event-id': 'x' },
    });
    expect(badCursor.status).toBe(400);
  });

  it('a real server refuses a rebinding Host with 403 even with the token', async () => {
    const { engine, repo } = await serverFor('tasks: []\n');
    const server = await startServer(engine, { port: 0, repoRoot: repo });
    onTestFinished(() => server.close());
    const statusWith = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: server.port,
            path: '/api/runs',
            headers: { host, authorization: `Bearer ${server.token}` },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await statusWith(`evil.example:${server.port}`)).toBe(403);
    expect(await statusWith(`127.0.0.1:${server.port}`)).toBe(200);
    expect(await statusWith(`localhost:${server.port}`)).toBe(200);
  });
});
