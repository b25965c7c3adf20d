import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Engine, OpenQuestion } from '../../src/engine/index.js';
import { ANSWERED_BY, createEngine, readTranscript } from '../../src/engine/index.js';
import type { Store } from '../../src/store/index.js';
import { runMain } from '../support/cli.js';
import { makeRepo } from '../support/repo.js';
import { openTestStore } from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';

// In-process through `main`: nothing here needs a process of its own (questions.test.ts runs
// `gaffer answer` as a second process). No foreman: a person is asked at once.
const PLAN = `agent: script
question_timeout_s: 600
autonomy: full_auto
tasks:
  - id: asker
    title: Asks which port
    agent_config: { steps: [ { ask: "Which port?" }, { write: { path: a.txt, content: a } } ] }
`;

let store: Store | undefined;
let engine: Engine | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
  engine = undefined;
});

async function waitingRun() {
  const repo = makeRepo({ 'plan.yaml': PLAN });
  store = await openTestStore('sqlite', repo);
  engine = createEngine({ store, controlPollMs: 50 });
  const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
  const driving = engine.driveRun(run.id);
  const [open] = await waitFor(async () => {
    const questions = await engine!.openQuestions(run.id);
    return questions.length > 0 && questions;
  }, 'the agent to ask');
  const answers = async () =>
    (await store!.readEvents({ runId: run.id, types: ['attempt.question-answered'] })).length;
  return { repo, run, driving, open: open!, answers };
}

describe('gaffer questions and gaffer answer', () => {
  it('lists an open question as text and JSON, and says when there is none', async () => {
    const { repo, run, driving, open } = await waitingRun();
    const text = await runMain(['questions', run.id], repo);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`1 open question in run ${run.id}:`);
    expect(text.stdout).toContain(`[${open.questionId}] asker: Which port?`);
    expect(text.stdout).toContain('answer with: gaffer answer <question-id> "your answer"');
    // Without a proposal there is nothing to accept, so the listing does not offer it.
    expect(text.stdout).not.toContain('--accept');
    expect(text.stdout).not.toContain('the foreman proposes');
    const json = JSON.parse((await runMain(['questions', '--json'], repo)).stdout) as OpenQuestion[];
    expect(json).toEqual([
      expect.objectContaining({
        questionId: open.questionId,
        taskId: 'asker',
        question: 'Which port?',
        proposal: null,
        confidence: null,
      }),
    ]);

    const answered = await runMain(['answer', open.questionId, 'Use', '8080'], repo);
    expect(answered.code, answered.stderr).toBe(0);
    expect((await driving).status).toBe('completed');
    const attempt = (await store!.listAttempts(run.id, 'asker'))[0]!;
    const lines = await readTranscript(attempt.transcriptPath!);
    expect(lines.map((l) => l.event)).toContainEqual({
      type: 'question',
      question: 'Which port?',
      answer: 'Use 8080',
    });
    const [event] = await store!.readEvents({ runId: run.id, types: ['attempt.question-answered'] });
    expect(event?.data).toMatchObject({ by: ANSWERED_BY.person });
    expect((await runMain(['questions'], repo)).stdout).toBe(`no open questions in run ${run.id}\n`);
  }, 60_000);

  it('refuses bad answers with one message and a hint, exit 2, recording nothing', async () => {
    const { repo, run, driving, open, answers } = await waitingRun();
    const refused = async (args: string[], message: RegExp | string) => {
      const result = await runMain(['answer', ...args], repo);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(typeof message === 'string' ? new RegExp(escape(message)) : message);
      expect(result.stderr).toMatch(/hint: /);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(await answers()).toBe(0);
    };
    await refused([`${run.id}.nope.q1`, 'x'], `no open question "${run.id}.nope.q1"`);
    await refused([open.questionId, '--accept', 'Use 8080'], 'give either an answer or --accept, not both');
    await refused([open.questionId], `no answer given for "${open.questionId}"`);
    await refused(
      [open.questionId, '--accept'],
      `question ${open.questionId} has no proposal from the foreman`,
    );
    expect(await engine!.openQuestions(run.id)).toHaveLength(1);

    await engine!.answerQuestion(open.questionId, 'Use 8080');
    expect((await driving).status).toBe('completed');
    const again = await runMain(['answer', open.questionId, 'late'], repo);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `no open question "${open.questionId}": it was answered already (by person)`,
    );
    expect(await answers()).toBe(1);
  }, 60_000);
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
