import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/domain/index.js';
import type { Approval, DecisionResult, OpenQuestion } from '../../src/engine/index.js';
import { waitFor } from '../support/wait-for.js';
import { runReaches, serverFor } from './harness.js';

const REVIEW_ALL = `agent: script
autonomy: review_all
tasks:
  - id: a
    title: Write a
    agent_config: { attempts: [ [ { write: { path: a.txt, content: "first" } } ], [ { write: { path: a.txt, content: "second" } } ] ] }
`;

const ASKING = `agent: script
question_timeout_s: 600
autonomy: full_auto
tasks:
  - id: asker
    title: Asks which port
    agent_config: { steps: [ { ask: "Which port?" }, { write: { path: a.txt, content: a } } ] }
`;

/** Starts the plan over the API and returns the run's id. */
async function start(api: Awaited<ReturnType<typeof serverFor>>['api']): Promise<string> {
  const res = await api<{ run: RunRecord }>('POST', '/api/runs', { body: { plan: 'plan.yaml' } });
  expect(res.status, res.text).toBe(201);
  return res.body.run.id;
}

describe('the HTTP API: approvals and questions', () => {
  it('lists a waiting result, refuses bad decisions (400/404/409), denies, then approves', async () => {
    const { api, engine, app } = await serverFor(REVIEW_ALL);
    const runId = await start(api);
    await runReaches(engine, runId, 'paused');
    await app.drives.settled(runId);

    const listed = await api<{ approvals: Approval[] }>('GET', `/api/runs/${runId}/approvals`);
    expect(listed.status).toBe(200);
    const [waiting] = listed.body.approvals;
    expect(waiting).toMatchObject({ taskId: 'a', attempt: 1, open: true });
    const id = waiting?.approvalId ?? '';
    const decided = async () => (await engine.approvals(runId)).filter((a) => a.decision).length;

    const unknown = await api('POST', `/api/approvals/${runId}.a.7.eval/approve`);
    expect(unknown.status).toBe(404);
    expect((await api('POST', '/api/approvals/nope.a.1.eval/approve')).status).toBe(404);
    for (const body of [{}, { reason: '   ' }, { reason: 3 }]) {
      const res = await api('POST', `/api/approvals/${id}/deny`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await decided()).toBe(0);

    const denied = await api<DecisionResult>('POST', `/api/approvals/${id}/deny`, {
      body: { reason: 'write second' },
    });
    expect(denied.status).toBe(200);
    // The run had paused waiting for this decision: it goes on by itself, with the rework.
    expect(denied.body).toMatchObject({ approval: { approvalId: id }, driven: false, resumed: true });
    const again = await api('POST', `/api/approvals/${id}/approve`);
    expect(again.status).toBe(409);
    expect(again.body.error?.message).toContain('was already denied');
    expect((await api('POST', `/api/approvals/${id}/deny`, { body: { reason: 'x' } })).status).toBe(409);
    expect(await decided()).toBe(1);

    // The rework is the new result to decide on.
    const reworked = await waitFor(
      async () => (await engine.approvals(runId)).find((a) => a.open && a.attempt === 2),
      'the rework to wait for approval',
    );
    await runReaches(engine, runId, 'paused');
    await app.drives.settled(runId);
    const approved = await api<DecisionResult>('POST', `/api/approvals/${reworked.approvalId}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ resumed: true });
    expect((await api('POST', `/api/approvals/${reworked.approvalId}/approve`)).status).toBe(409);
    await runReaches(engine, runId, 'completed');
  });

  it('lists an open question, answers it once, and refuses a second answer with 409', async () => {
    const { api, engine } = await serverFor(ASKING);
    const runId = await start(api);
    const asked = await waitFor(async () => {
      const res = await api<{ questions: OpenQuestion[] }>('GET', `/api/runs/${runId}/questions`);
      return res.body.questions.length > 0 && res.body.questions;
    }, 'the agent to ask');
    const questionId = asked[0]?.questionId ?? '';
    expect(asked[0]).toMatchObject({ taskId: 'asker', question: 'Which port?' });
    await waitFor(
      async () => (await engine.attempts(runId, 'asker'))[0]?.status === 'waiting_answer',
      'the attempt to wait for its answer',
    );

    expect(
      (await api('POST', `/api/questions/${runId}.asker.1.q9/answer`, { body: { answer: 'x' } })).status,
    ).toBe(404);
    expect(
      (await api('POST', `/api/questions/nope.asker.1.q1/answer`, { body: { answer: 'x' } })).status,
    ).toBe(404);
    for (const body of [{}, { answer: 'x', accept: true }, { accept: true }, { answer: 5 }]) {
      const res = await api('POST', `/api/questions/${questionId}/answer`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await engine.openQuestions(runId)).toHaveLength(1);

    const answered = await api('POST', `/api/questions/${questionId}/answer`, {
      body: { answer: 'Use 8080' },
    });
    expect(answered.status, answered.text).toBe(200);
    const late = await api('POST', `/api/questions/${questionId}/answer`, { body: { answer: 'late' } });
    expect(late.status).toBe(409);
    await runReaches(engine, runId, 'completed');
  });
});
