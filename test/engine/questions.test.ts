import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createEngine, readTranscript, UNANSWERED } from '../../src/engine/index.js';
import { runCli } from '../support/cli.js';
import { makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';
import { DIALECTS, openTestStore, skipDialect } from '../support/stores.js';

const plan = (timeout: number) => `agent: script
question_timeout_s: ${timeout}
autonomy: full_auto
tasks:
  - id: asker
    title: Asks which port
    agent_config: { steps: [ { ask: "Which port should the server use?" }, { write: { path: a.txt, content: a } } ] }
`;

// The CLI child process finds the store at the repository's default SQLite path; a PostgreSQL
// schema of the test's own cannot be named on its command line, so this one runs on SQLite only.
describe('agent questions', () => {
  it('wait for a person, who answers from another process with gaffer answer', async () => {
    const repo = makeRepo({ 'plan.yaml': plan(60) });
    const store = await openTestStore('sqlite', repo);
    const engine = createEngine({ store, controlPollMs: 50 });
    const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
    const driving = engine.driveRun(run.id);

    const open = await waitFor(async () => {
      const questions = await engine.openQuestions(run.id);
      return questions.length > 0 && questions;
    }, 'the agent to ask its question');
    expect(open[0]).toMatchObject({ taskId: 'asker', question: 'Which port should the server use?' });
    const [attempt] = await store.listAttempts(run.id, 'asker');
    expect(attempt?.status).toBe('waiting_answer');

    const status = await runCli(['status'], repo);
    expect(status.stdout).toContain(`[${open[0]!.questionId}] asker: Which port should the server use?`);
    const listed = await runCli(['questions'], repo);
    expect(listed.stdout).toContain(`[${open[0]!.questionId}] asker: Which port should the server use?`);
    const answered = await runCli(['answer', open[0]!.questionId, 'Use', '8080'], repo);
    expect(answered.code, answered.stderr).toBe(0);

    const final = await driving;
    expect(final.status).toBe('completed');
    const lines = await readTranscript((await store.listAttempts(run.id, 'asker'))[0]!.transcriptPath!);
    expect(lines.map((l) => l.event)).toContainEqual({
      type: 'question',
      question: 'Which port should the server use?',
      answer: 'Use 8080',
    });
    const again = await runCli(['answer', open[0]!.questionId, 'late'], repo);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `no open question "${open[0]!.questionId}": it was answered already (by person)`,
    );
  });
});

for (const dialect of DIALECTS)
  describe.skipIf(skipDialect(dialect))(`agent questions (${dialect})`, () => {
    it('are answered with "assume and go on" when nobody answers in time', async () => {
      const repo = makeRepo({ 'plan.yaml': plan(0.3) });
      const store = await openTestStore(dialect, repo);
      const engine = createEngine({ store });
      const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
      const final = await engine.driveRun(run.id);
      expect(final.status).toBe('completed');
      const answered = (await store.readEvents({ runId: run.id })).find(
        (e) => e.type === 'attempt.question-answered',
      );
      expect(answered?.data).toMatchObject({ answer: UNANSWERED, by: 'gaffer (timeout)' });
    });
  });
