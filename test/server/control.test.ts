import { describe, expect, it } from 'vitest';
import type { BudgetRaise, RunRecord } from '../../src/domain/index.js';
import { gate, gatedPlan, runReaches, serverFor, taskRunning } from './harness.js';

describe('the HTTP API: steering runs driven in the server', () => {
  it('pauses a running run, refuses a second drive (409), resumes it and it finishes', async () => {
    const g = gate();
    const { api, engine, app } = await serverFor(gatedPlan(g), { 'gate.mjs': g.script });
    const started = await api<{ run: RunRecord }>('POST', '/api/runs', { body: { plan: 'plan.yaml' } });
    const runId = started.body.run.id;
    await taskRunning(engine, runId, 'slow');
    const driving = await api<{ server: { driving: boolean } }>('GET', `/api/runs/${runId}`);
    expect(driving.body.server.driving).toBe(true);
    expect((await api('POST', `/api/runs/${runId}/resume`)).status).toBe(409);
    expect((await api('POST', `/api/runs/${runId}/raise`, { body: { limits: { tokens: 5 } } })).status).toBe(
      409,
    );

    const paused = await api('POST', `/api/runs/${runId}/pause`, { body: { reason: 'lunch' } });
    expect(paused.status, paused.text).toBe(200);
    await runReaches(engine, runId, 'paused');
    await app.drives.settled(runId);
    expect((await engine.getRun(runId)).reason).toBe('lunch');

    g.open();
    expect((await api('POST', `/api/runs/${runId}/resume`)).status).toBe(202);
    await runReaches(engine, runId, 'completed');
  });

  it('cancels a running run for good', async () => {
    const g = gate(); // never opened: only the cancel ends the slow task
    const { api, engine } = await serverFor(gatedPlan(g), { 'gate.mjs': g.script });
    const runId = (await api<{ run: RunRecord }>('POST', '/api/runs', { body: { plan: 'plan.yaml' } })).body
      .run.id;
    await taskRunning(engine, runId, 'slow');
    expect((await api('POST', `/api/runs/${runId}/cancel`)).status).toBe(200);
    await runReaches(engine, runId, 'cancelled');
    expect((await api('POST', `/api/runs/${runId}/resume`)).status).toBe(409);
  });

  it('raises the limit a budget paused the run at; bad raises are 400 and record nothing', async () => {
    const { api, engine, app } = await serverFor(`agent: script
autonomy: full_auto
concurrency: 1
budgets: { tokens: 2000 }
tasks:
  - id: a
    title: Spend past the limit
    agent_config: { steps: [ { spend: { tokens: 2500 } }, { write: { path: a.txt, content: "a" } } ] }
  - id: b
    title: Waits for the raise
    agent_config: { steps: [ { write: { path: b.txt, content: "b" } } ] }
`);
    const runId = (await api<{ run: RunRecord }>('POST', '/api/runs', { body: { plan: 'plan.yaml' } })).body
      .run.id;
    await runReaches(engine, runId, 'paused');
    await app.drives.settled(runId);
    const raises = async () => {
      const found = [];
      for await (const e of engine.tailEvents(runId, { types: ['run.budget-raised'] })) found.push(e);
      return found;
    };
    for (const body of [
      {},
      { limits: {} },
      { limits: { tokenz: 9000 } },
      { limits: { tokens: -1 } },
      { limits: { tokens: 'lots' } },
      { limits: { cost_usd: 5 } },
      { limits: { tokens: 2100 } },
      { tasks: { zz: { tokens: 9000 } } },
    ]) {
      const res = await api('POST', `/api/runs/${runId}/raise`, { body });
      expect(res.status, `${JSON.stringify(body)}: ${res.text}`).toBe(400);
    }
    expect(await raises()).toEqual([]);

    const raised = await api<{ raised: BudgetRaise[] }>('POST', `/api/runs/${runId}/raise`, {
      body: { limits: { tokens: 100000 } },
    });
    expect(raised.status, raised.text).toBe(200);
    expect(raised.body.raised).toEqual([{ scope: 'run', limit: 'tokens', from: 2000, to: 100000 }]);
    expect((await api('POST', `/api/runs/${runId}/resume`)).status).toBe(202);
    await runReaches(engine, runId, 'completed');
  });
});
