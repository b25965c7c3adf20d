import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredEvent } from '../../src/domain/index.js';
import { ANSWERED_BY, createEngine, readTranscript, UNANSWERED } from '../../src/engine/index.js';
import type { OpenQuestion } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { startChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatExchange, ChatServer, ChatTurn } from '../fixtures/model-servers/openai-chat-server.js';
import { runMain } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';

let server: ChatServer | undefined;
let store: Store | undefined;
afterEach(async () => {
  await server?.close();
  await store?.close();
  server = undefined;
  store = undefined;
});

const FOREMAN = 'foreman-model';
const PORT = 'Which port should the server use?';
const HOST = 'Which host should it bind to?';

/** The foreman's replies, one per request it gets; the workers are script agents and ask nothing of it. */
const startForeman = (replies: readonly ChatTurn[]) =>
  startChatServer(({ index }) => replies[index] ?? { text: 'no more replies scripted' });

const reply = (answer: string, confidence: number, why = 'the plan says so') => ({
  text: `Let me think.\n\`\`\`json\n${JSON.stringify({ answer, confidence, why })}\n\`\`\``,
});

/** A plan whose one task asks `questions` in turn, then writes a.txt; the foreman answers at 0.7. */
const plan = (url: string, questions: readonly string[], timeoutS = 60) => `agent: script
question_timeout_s: ${timeoutS}
autonomy: full_auto
agents:
  api: { provider: openai-compatible, base_url: "${url}/v1", model: ${FOREMAN} }
foreman: { agent: api, answer_at: 0.7 }
tasks:
  - id: server
    title: Start the web server
    description: The server serves the dashboard.
    acceptance_criteria: [the server answers on its port]
    agent_config:
      steps:
${questions.map((q) => `        - { ask: "${q}" }`).join('\n')}
        - { write: { path: a.txt, content: a } }
  - id: docs
    title: Document the server
    depends_on: [server]
    agent_config: { steps: [ { write: { path: docs.txt, content: d } } ] }
`;

async function startRun(text: string, env: Record<string, string> = {}) {
  const repo = makeRepo({ 'plan.yaml': text });
  store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  const engine = createEngine({ store, controlPollMs: 50, env: { ...process.env, ...env } });
  const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
  return { repo, engine, run, driving: engine.driveRun(run.id) };
}

const eventsOf = async (runId: string, type: StoredEvent['type']) =>
  (await store!.readEvents({ runId, types: [type] })).map((e) => e.data as Record<string, unknown>);

/** What the model was sent, as text: the system and user messages of one request. */
const promptOf = (exchange: ChatExchange) =>
  (exchange.body.messages ?? [])
    .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)))
    .join('\n');

const spentBy = (exchanges: readonly ChatExchange[]) => ({
  inputTokens: exchanges.reduce((sum, e) => sum + e.usage.prompt_tokens, 0),
  outputTokens: exchanges.reduce((sum, e) => sum + e.usage.completion_tokens, 0),
});

async function answersInTranscript(runId: string) {
  const [attempt] = await store!.listAttempts(runId, 'server');
  const lines = await readTranscript(attempt!.transcriptPath!);
  return lines.flatMap((l) => (l.event.type === 'question' && l.event.answer ? [l.event.answer] : []));
}

const openQuestionsJson = async (repo: string) => {
  const listed = await runMain(['questions', '--json'], repo);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as OpenQuestion[];
};

describe('the foreman answers agents’ questions (api backend, scripted model)', () => {
  it('sends a sure answer straight back to the agent, asks no person, and counts its usage', async () => {
    server = await startForeman([reply('Use 8080.', 0.9)]);
    const { run, driving } = await startRun(plan(server.url, [PORT]));
    const final = await driving;
    expect(final.status).toBe('completed');
    expect(await answersInTranscript(run.id)).toEqual(['Use 8080.']);
    expect(await eventsOf(run.id, 'attempt.question-escalated')).toEqual([]);
    const [answered] = await eventsOf(run.id, 'attempt.question-answered');
    expect(answered).toMatchObject({ question: PORT, answer: 'Use 8080.', by: ANSWERED_BY.foreman });
    // Its session's tokens are in the event, which the budgets (and a resumed run) count.
    expect(server.exchanges).toHaveLength(1);
    expect(answered!.usage).toMatchObject(spentBy(server.exchanges));
    // The foreman saw the plan, the asking task and the question.
    const prompt = promptOf(server.exchanges[0]!);
    expect(prompt).toContain('- docs: Document the server');
    expect(prompt).toContain('The task asking: server: Start the web server');
    expect(prompt).toContain('1. the server answers on its port');
    expect(prompt).toContain(PORT);
  }, 120_000);

  it('escalates an unsure answer with its proposal; a person accepts it and it reaches the agent', async () => {
    server = await startForeman([reply('Use 3000.', 0.4, 'the plan names no port'), reply('0.0.0.0', 0.95)]);
    const { repo, run, driving } = await startRun(plan(server.url, [PORT, HOST]));
    const [open] = await waitFor(async () => {
      const questions = await openQuestionsJson(repo);
      return questions[0]?.proposal ? questions : undefined;
    }, 'the escalated question with its proposal');
    expect(open).toMatchObject({ taskId: 'server', question: PORT, proposal: 'Use 3000.', confidence: 0.4 });
    expect(open!.reason).toContain('the plan names no port');
    const text = await runMain(['questions'], repo);
    expect(text.stdout).toContain(`[${open!.questionId}] server: ${PORT}`);
    expect(text.stdout).toContain('the foreman proposes (confidence 0.40): Use 3000.');

    const accepted = await runMain(['answer', open!.questionId, '--accept'], repo);
    expect(accepted.code, accepted.stderr).toBe(0);
    const final = await driving;
    expect(final.status).toBe('completed');
    expect(await answersInTranscript(run.id)).toEqual(['Use 3000.', '0.0.0.0']);
    const answered = await eventsOf(run.id, 'attempt.question-answered');
    expect(answered.map((a) => a.by)).toEqual([ANSWERED_BY.personAccepted, ANSWERED_BY.foreman]);
    // The escalation carries the unsure session's usage, the second answer its own.
    const [escalated] = await eventsOf(run.id, 'attempt.question-escalated');
    expect(escalated!.usage).toMatchObject(spentBy(server.exchanges.slice(0, 1)));
    expect(answered[1]!.usage).toMatchObject(spentBy(server.exchanges.slice(1, 2)));
    // The person's answer is in the FAQ the foreman got for the second question.
    const second = promptOf(server.exchanges[1]!);
    expect(second).toContain(`Q (task server): ${PORT}`);
    expect(second).toContain(`A (by ${ANSWERED_BY.personAccepted}): Use 3000.`);
    expect(promptOf(server.exchanges[0]!)).toContain('(none yet)');
  }, 120_000);

  it("puts the foreman's earlier answer in the FAQ of the next question, newest first", async () => {
    server = await startForeman([reply('Use 8080.', 0.9), reply('localhost', 0.8), reply('Yes.', 0.9)]);
    const { run, driving } = await startRun(plan(server.url, [PORT, HOST, 'Should it log requests?']));
    expect((await driving).status).toBe('completed');
    expect(await answersInTranscript(run.id)).toEqual(['Use 8080.', 'localhost', 'Yes.']);
    const third = promptOf(server.exchanges[2]!);
    const faq = third.slice(third.indexOf('Earlier answers in this run'), third.indexOf('## The question'));
    expect(faq).toContain(`Q (task server): ${HOST}\n  A (by foreman): localhost`);
    expect(faq).toContain(`Q (task server): ${PORT}\n  A (by foreman): Use 8080.`);
    expect(faq.indexOf(HOST)).toBeLessThan(faq.indexOf(PORT));
  }, 120_000);

  it('asks once more after an unreadable reply, then escalates without a proposal', async () => {
    server = await startForeman([{ text: 'Port 8080, I guess.' }, { text: 'Really, 8080.' }]);
    const { repo, engine, run, driving } = await startRun(plan(server.url, [PORT]));
    const [open] = await waitFor(async () => {
      const questions = await engine.openQuestions(run.id);
      return questions[0]?.reason ? questions : undefined;
    }, 'the question escalated');
    expect(server.exchanges).toHaveLength(2);
    expect(promptOf(server.exchanges[1]!)).toContain('Your previous reply could not be read');
    expect(open).toMatchObject({ proposal: null, confidence: null });
    expect(open!.reason).toMatch(/could not be read: the reply has no JSON block/);
    // Nothing to accept: said, and nothing recorded.
    const accept = await runMain(['answer', open!.questionId, '--accept'], repo);
    expect(accept.code).toBe(2);
    expect(accept.stderr).toContain(`question ${open!.questionId} has no proposal from the foreman`);
    expect(accept.stderr).toMatch(/hint: /);
    expect(await engine.openQuestions(run.id)).toHaveLength(1);

    await engine.answerQuestion(open!.questionId, 'Use 9000.');
    expect((await driving).status).toBe('completed');
    expect(await answersInTranscript(run.id)).toEqual(['Use 9000.']);
    const [escalated] = await eventsOf(run.id, 'attempt.question-escalated');
    expect(escalated!.usage).toMatchObject(spentBy(server.exchanges));
    const [answered] = await eventsOf(run.id, 'attempt.question-answered');
    expect(answered).toMatchObject({ by: ANSWERED_BY.person });
  }, 120_000);

  it('escalates with the reason when the foreman session fails; the attempt goes on', async () => {
    server = await startForeman([
      { error: { status: 400, body: { error: { message: 'model not found' } } } },
    ]);
    const { run, driving } = await startRun(plan(server.url, [PORT], 0.5));
    const final = await driving;
    expect(final.status).toBe('completed');
    const [escalated] = await eventsOf(run.id, 'attempt.question-escalated');
    expect(escalated).toMatchObject({ proposal: null, confidence: null });
    expect(escalated!.reason).toMatch(/^the foreman session failed: .*model not found/);
    // Nobody answered within question_timeout_s: the agent was told to assume, as without a foreman.
    expect(await answersInTranscript(run.id)).toEqual([UNANSWERED]);
  }, 120_000);

  it('masks a secret the foreman repeats, for the agent and in the event log', async () => {
    const secret = 'tok-0123456789abcdef';
    server = await startForeman([reply(`Log in with ${secret}.`, 0.9)]);
    const { run, driving } = await startRun(plan(server.url, [PORT]), { GAFFER_TEST_TOKEN: secret });
    expect((await driving).status).toBe('completed');
    const [told] = await answersInTranscript(run.id);
    expect(told).toMatch(/^Log in with /);
    expect(told).not.toContain(secret);
    const events = JSON.stringify(await store!.readEvents({ runId: run.id }));
    expect(events).not.toContain(secret);
  }, 120_000);

  it("runs in a scratch directory: what its tools write reaches neither the agent's worktree nor the branch", async () => {
    server = await startForeman([
      { toolCalls: [{ name: 'write_file', arguments: { path: 'planted.txt', content: 'x' } }] },
      reply('Use 8080.', 0.9),
    ]);
    const { repo, run, driving } = await startRun(plan(server.url, [PORT]));
    expect((await driving).status).toBe('completed');
    expect(await answersInTranscript(run.id)).toEqual(['Use 8080.']);
    // The tool ran (its result went back to the model), somewhere that is gone now.
    expect(JSON.stringify(server.exchanges[1]!.body.messages)).toContain('planted.txt');
    const files = git(repo, 'ls-tree', '-r', '--name-only', run.integrationBranch);
    expect(files.split('\n')).toEqual(expect.arrayContaining(['a.txt', 'docs.txt']));
    expect(files).not.toContain('planted.txt');
    expect(git(repo, 'ls-files', '--others')).not.toContain('planted.txt');
    const [attempt] = await store!.listAttempts(run.id, 'server');
    expect(existsSync(join(attempt!.worktreePath, 'planted.txt'))).toBe(false);
  }, 120_000);

  it('hears a person who answers while the foreman is still thinking, and stops the foreman', async () => {
    server = await startForeman([{ hang: true }]);
    const { engine, run, driving } = await startRun(plan(server.url, [PORT]));
    await waitFor(() => server!.exchanges.length > 0, 'the foreman to be asked');
    const [open] = await engine.openQuestions(run.id);
    expect(open).toMatchObject({ question: PORT, proposal: null, reason: null });
    await engine.answerQuestion(open!.questionId, 'Use 8080.');
    expect((await driving).status).toBe('completed');
    expect(await answersInTranscript(run.id)).toEqual(['Use 8080.']);
    const [escalated] = await eventsOf(run.id, 'attempt.question-escalated');
    expect(escalated).toMatchObject({ reason: 'a person answered while the foreman answered' });
    expect(await eventsOf(run.id, 'attempt.question-answered')).toEqual([
      expect.objectContaining({ by: ANSWERED_BY.person }),
    ]);
  }, 120_000);

  it('gives a foreman that does not answer no more than question_timeout_s', async () => {
    server = await startForeman([{ hang: true }]);
    const { run, driving } = await startRun(plan(server.url, [PORT], 0.5));
    expect((await driving).status).toBe('completed');
    expect(await answersInTranscript(run.id)).toEqual([UNANSWERED]);
    const [escalated] = await eventsOf(run.id, 'attempt.question-escalated');
    expect(escalated!.reason).toMatch(/^nobody answered within question_timeout_s/);
    const [answered] = await eventsOf(run.id, 'attempt.question-answered');
    expect(answered).toMatchObject({ by: 'gaffer (timeout)' });
  }, 120_000);

  it('stops the foreman session when the attempt stops', async () => {
    server = await startForeman([{ hang: true }]);
    const { engine, run, driving } = await startRun(plan(server.url, [PORT]));
    await waitFor(() => server!.exchanges.length > 0, 'the foreman to be asked');
    await engine.requestPause(run.id, 'pausing mid-question');
    const final = await driving;
    expect(final.status).toBe('paused');
    const [answered] = await eventsOf(run.id, 'attempt.question-answered');
    expect(answered).toMatchObject({ answer: UNANSWERED, by: 'gaffer (attempt stopped)' });
    expect(server.exchanges).toHaveLength(1);
  }, 120_000);
});

describe('gaffer run with a foreman', () => {
  it('says a missing key of the foreman’s backend before anything runs, exit 2', async () => {
    const text = `agent: script
agents:
  api: { provider: openai-compatible, base_url: "http://127.0.0.1:9/v1", model: m, api_key_env: GAFFER_TEST_NO_SUCH_KEY }
foreman: { agent: api }
tasks:
  - id: a
    title: A
    agent_config: { steps: [ { write: { path: a.txt, content: a } } ] }
`;
    const repo = makeRepo({ 'plan.yaml': text });
    const result = await runMain(['run', 'plan.yaml'], repo);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('needs an API key in GAFFER_TEST_NO_SUCH_KEY');
    expect(result.stderr).toMatch(/hint: /);
    expect(await runMain(['runs', '--json'], repo).then((r) => JSON.parse(r.stdout) as unknown[])).toEqual(
      [],
    );
  });
});
