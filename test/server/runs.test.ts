import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/domain/index.js';
import type { AttemptView, RunSummary, RunView, TranscriptLine } from '../../src/engine/index.js';
import type { AttemptDiff } from '../../src/engine/queries/index.js';
import { runReaches, serverFor } from './harness.js';

// The key the agent prints must never leave the server: the transcript was redacted when it
// was written, and every response is redacted again on the way out.
const SECRET = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789';
// A value of the server's environment that looks like nothing in particular: only the server's
// own redaction of what it sends can mask it.
const DEPLOY_TOKEN = 'plainvalue-4f9c2a7e';
const PLAN = `agent: script
autonomy: full_auto
tasks:
  - id: a
    title: Write a with ${DEPLOY_TOKEN}
    agent_config: { steps: [ { say: "my key is ${SECRET}" }, { write: { path: a.txt, content: "hello from a\\n" } } ] }
  - id: b
    title: Write b
    depends_on: [a]
    agent_config: { steps: [ { write: { path: b.txt, content: "b\\n" } } ] }
`;

/** A run started over the API and driven by the app to its end. */
async function completedRun() {
  const server = await serverFor(PLAN, {}, { ...process.env, DEPLOY_TOKEN });
  const started = await server.api<{ run: RunRecord }>('POST', '/api/runs', { body: { plan: 'plan.yaml' } });
  expect(started.status, started.text).toBe(201);
  const runId = started.body.run.id;
  await runReaches(server.engine, runId, 'completed');
  await server.app.drives.settled(runId);
  return { ...server, runId };
}

describe('the HTTP API: runs, attempts, transcripts, diffs', () => {
  it('starts a run that the server drives to its end, and serves what it did', async () => {
    const { api, runId, engine } = await completedRun();

    const list = await api<{ runs: RunSummary[] }>('GET', '/api/runs');
    expect(list.status).toBe(200);
    expect(list.body.runs.map((r) => [r.id, r.status, r.tasks, r.passed])).toEqual([
      [runId, 'completed', 2, 2],
    ]);
    expect(list.headers.get('cache-control')).toBe('no-store');

    const view = await api<RunView & { server: { driving: boolean; driveError: unknown } }>(
      'GET',
      `/api/runs/${runId}`,
    );
    expect(view.status).toBe(200);
    expect(view.body.run.status).toBe('completed');
    expect(view.body.tasks.map((t) => [t.taskId, t.status])).toEqual([
      ['a', 'passed'],
      ['b', 'passed'],
    ]);
    expect(view.body.attempts.map((a) => [a.taskId, a.status, a.evaluation?.passed])).toEqual([
      ['a', 'succeeded', true],
      ['b', 'succeeded', true],
    ]);
    expect(view.body.usage).toMatchObject({ outputTokens: expect.any(Number) as number });
    expect(view.body).toMatchObject({ openQuestions: [], openApprovals: [], budget: null });
    expect(view.body.server).toEqual({ driving: false, driveError: null });
    expect(view.body.tasks[0]?.title).toBe('Write a with [REDACTED]');
    expect(view.text).not.toContain(DEPLOY_TOKEN);

    const attempts = await api<{ attempts: AttemptView[] }>('GET', `/api/runs/${runId}/attempts`);
    expect(attempts.body.attempts.map((a) => a.id)).toEqual([`${runId}.a.1`, `${runId}.b.1`]);
    const ofB = await api<{ attempts: AttemptView[] }>('GET', `/api/runs/${runId}/attempts?task=b`);
    expect(ofB.body.attempts.map((a) => a.id)).toEqual([`${runId}.b.1`]);
    expect(ofB.body.attempts).toEqual(await engine.attempts(runId, 'b'));

    const transcript = await api<{ lines: TranscriptLine[] }>('GET', `/api/attempts/${runId}.a.1/transcript`);
    expect(transcript.status).toBe(200);
    expect(transcript.body.lines.map((l) => l.event)).toContainEqual({
      type: 'text',
      text: 'my key is sk-ant-[REDACTED]',
    });
    expect(transcript.text).not.toContain(SECRET.slice(8));
    // Paged: a live view asks only for the lines after those it has.
    const total = transcript.body.lines.length;
    expect(transcript.body).toMatchObject({ from: 0, next: total, total });
    const rest = await api<{ lines: TranscriptLine[]; from: number; next: number; total: number }>(
      'GET',
      `/api/attempts/${runId}.a.1/transcript?from=1&limit=1`,
    );
    expect(rest.body).toMatchObject({ from: 1, next: 2, total });
    expect(rest.body.lines).toEqual(transcript.body.lines.slice(1, 2));
    expect((await api('GET', `/api/attempts/${runId}.a.1/transcript?from=-1`)).status).toBe(400);

    const diff = await api<AttemptDiff>('GET', `/api/attempts/${runId}.a.1/diff`);
    expect(diff.status).toBe(200);
    expect(diff.body).toMatchObject({
      files: ['a.txt'],
      insertions: 1,
      deletions: 0,
      truncated: false,
      available: true,
    });
    expect(diff.body.patch).toContain('+++ b/a.txt');
    expect(diff.body.patch).toContain('+hello from a');
  });

  it('refuses unknown ids with 404, malformed ids with 400, and actions on an ended run with 409', async () => {
    const { api, runId, engine } = await completedRun();
    const events = async () => {
      const all = [];
      for await (const e of engine.tailEvents(runId)) all.push(e.id);
      return all;
    };
    const logged = await events();
    expect(logged.length).toBeGreaterThan(0);

    for (const path of [
      '/api/runs/nope',
      '/api/runs/nope/attempts',
      '/api/runs/nope/approvals',
      '/api/runs/nope/questions',
      `/api/runs/${runId}/attempts?task=zz`,
      `/api/attempts/${runId}.a.9/transcript`,
      `/api/attempts/${runId}.a.9/diff`,
      '/api/attempts/nope.a.1/diff',
      '/api/events?run=nope',
      '/api/nothing-here',
    ]) {
      const res = await api('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body.error?.code, path).toMatch(/^GAFFER_/);
    }
    for (const path of [
      '/api/runs/bad%20id',
      '/api/runs/x/attempts?task=a%20b',
      '/api/attempts/..%2F/diff',
      '/api/events',
    ]) {
      const res = await api('GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error?.code, path).toBe('GAFFER_BAD_INPUT');
    }

    for (const action of ['resume', 'pause', 'cancel']) {
      const res = await api('POST', `/api/runs/${runId}/${action}`);
      expect(res.status, action).toBe(409);
      expect(res.body.error?.message, action).toContain(`run ${runId} has already completed`);
    }
    const raise = await api('POST', `/api/runs/${runId}/raise`, { body: { limits: { tokens: 10 } } });
    expect(raise.status).toBe(409);
    for (const action of ['resume', 'pause', 'cancel'])
      expect((await api('POST', `/api/runs/nope/${action}`)).status).toBe(404);

    // Nothing refused left a trace.
    expect(await events()).toEqual(logged);
    expect((await engine.getRun(runId)).status).toBe('completed');
  });

  it('refuses malformed bodies with 400 and creates nothing', async () => {
    const { api, engine } = await serverFor(PLAN);
    const bodies: [string, { body?: unknown; raw?: string }][] = [
      ['broken JSON', { raw: '{"plan": ' }],
      ['no body', {}],
      ['no plan', { body: {} }],
      ['an unknown option', { body: { plan: 'plan.yaml', colour: 'red' } }],
      ['a wrong type', { body: { plan: 'plan.yaml', concurrency: 'two' } }],
      ['a plan outside the repository', { body: { plan: '../plan.yaml' } }],
      ['an absolute plan path', { body: { plan: '/etc/passwd' } }],
      ['a missing plan file', { body: { plan: 'missing.yaml' } }],
      ['an unknown agent', { body: { plan: 'plan.yaml', agent: 'nobody' } }],
    ];
    for (const [what, request] of bodies) {
      const res = await api('POST', '/api/runs', request);
      expect(res.status, `${what}: ${res.text}`).toBe(400);
      expect(res.body.error?.message, what).toBeTruthy();
      expect(res.text, what).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(await engine.listRuns()).toEqual([]);
    const text = await api('POST', '/api/runs', {
      raw: 'plan.yaml',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(text.body.error?.code).toBe('GAFFER_HTTP');
    expect(await engine.listRuns()).toEqual([]);
  });
});
