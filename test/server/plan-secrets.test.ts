import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/domain/index.js';
import { runReaches, serverFor, TOKEN } from './harness.js';

// A key whose variable's name looks like nothing secret: only the plan's `api_key_env` says it is
// one. The engine here runs without it (as an agent that read it from a file would print it),
// so the transcript holds it as written and only the server's redaction can mask it.
const KEY_NAME = 'PLAIN_NAME';
const KEY_VALUE = 'some-value-123456';
const PLAN = `agent: script
autonomy: full_auto
agents: { script: { api_key_env: ${KEY_NAME} } }
verifiers: { commands: { shout: "echo ${KEY_VALUE}" } }
tasks:
  - id: a
    title: A
    agent_config: { steps: [ { say: "the value is ${KEY_VALUE}" }, { write: { path: a.txt, content: a } } ] }
`;

describe('the keys a plan names (api_key_env)', () => {
  it('are redacted in every response about a run created after the server started', async () => {
    const { api, app, engine, repo } = await serverFor(PLAN, {}, { ...process.env, [KEY_NAME]: KEY_VALUE });
    // Created and driven outside the server, as `gaffer run` on the same store would.
    const run: RunRecord = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
    expect((await engine.driveRun(run.id)).status).toBe('completed');
    const [attempt] = await engine.attempts(run.id);
    // The value is there to leak: in the transcript, in the plan and in an event.
    expect(JSON.stringify(await engine.transcript(attempt!))).toContain(KEY_VALUE);

    const transcript = await api('GET', `/api/attempts/${attempt!.id}/transcript`);
    const view = await api('GET', `/api/runs/${run.id}`);
    const attempts = await api('GET', `/api/runs/${run.id}/attempts`);
    const list = await api('GET', '/api/runs');
    const events = await app.request(`/api/events?run=${run.id}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const stream = await events.text();

    expect(transcript.text).toContain('the value is [REDACTED]');
    expect(view.text).toContain('the value is [REDACTED]');
    expect(stream).toContain('echo [REDACTED]');
    for (const [what, text] of Object.entries({
      transcript: transcript.text,
      view: view.text,
      attempts: attempts.text,
      list: list.text,
      events: stream,
    }))
      expect(text, what).not.toContain(KEY_VALUE);
  });

  it('are redacted in the record of a run started over the API', async () => {
    const { api, app, engine } = await serverFor(PLAN, {}, { ...process.env, [KEY_NAME]: KEY_VALUE });
    const started = await api<{ run: RunRecord }>('POST', '/api/runs', { body: { plan: 'plan.yaml' } });
    expect(started.status).toBe(201);
    await runReaches(engine, started.body.run.id, 'completed');
    await app.drives.settled(started.body.run.id);
    expect(started.text).toContain('the value is [REDACTED]');
    expect(started.text).not.toContain(KEY_VALUE);
  });
});
