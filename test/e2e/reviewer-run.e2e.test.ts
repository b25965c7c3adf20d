import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { startChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatRequestInfo, ChatServer, ChatTurn } from '../fixtures/model-servers/openai-chat-server.js';
import { runMain } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';

let server: ChatServer | undefined;
let store: Store | undefined;
afterEach(async () => {
  await server?.close();
  await store?.close();
  server = undefined;
  store = undefined;
});

const WORKER = 'local-coder';
const JUDGE = 'judge-model';

/**
 * The worker writes hello.txt (then says it is done) in every session; the reviewer — told apart
 * by its model — plays `reviews` in order, one per reviewer request.
 */
function startModels(reviews: readonly string[]) {
  let reviewed = 0;
  return startChatServer((request: ChatRequestInfo): ChatTurn => {
    if (request.model === JUDGE) return { text: reviews[reviewed++] ?? 'no more reviews scripted' };
    return request.turn === 0
      ? { toolCalls: [{ name: 'write_file', arguments: { path: 'hello.txt', content: 'hello\n' } }] }
      : { text: 'Done.' };
  });
}

const verdict = (criteria: { id: number; verdict: string; evidence?: string }[], critiques: unknown[] = []) =>
  `I read the diff.\n\`\`\`json\n${JSON.stringify({ criteria, critiques, summary: 'reviewed' })}\n\`\`\``;

const plan = (url: string, extra: string) => `agent: api
max_rework: 1
autonomy: full_auto
agents:
  api: { provider: openai-compatible, base_url: "${url}/v1", model: ${WORKER} }
${extra}
tasks:
  - id: hello
    title: Write hello.txt
    deliverables: [hello.txt]
    acceptance_criteria: [hello.txt says hello]
`;

async function runPlan(text: string, files: Record<string, string> = {}) {
  const repo = makeRepo({ 'plan.yaml': text, ...files });
  store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  const engine = createEngine({ store, controlPollMs: 50, env: { ...process.env } });
  const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
  const final = await engine.driveRun(run.id);
  const view = await engine.runView(run.id);
  const evaluations = await store.listEvaluations(run.id);
  return { repo, run, final, view, evaluations };
}

/** The reviews of attempts (the final review of the whole run is asked with the same model). */
const isFinalReview = (exchange: { body: { messages?: unknown } }) =>
  JSON.stringify(exchange.body.messages).includes('the whole run of plan');
const reviewerRequests = () => server!.exchanges.filter((e) => e.body.model === JUDGE && !isFinalReview(e));
const promptOf = (exchange: ReturnType<typeof reviewerRequests>[number]) =>
  JSON.stringify(exchange.body.messages);

describe('the LLM reviewer through the api backend', () => {
  it('merges a green attempt whose criteria are all met, and shows and counts the review', async () => {
    server = await startModels([verdict([{ id: 1, verdict: 'met', evidence: '+hello' }])]);
    const { final, view, evaluations, repo, run } = await runPlan(
      plan(server.url, `reviewer: { agent: api, model: ${JUDGE} }`),
    );
    expect(final.status).toBe('completed');
    expect(git(repo, 'show', `${run.integrationBranch}:hello.txt`)).toBe('hello');
    expect(evaluations).toHaveLength(1);
    expect(evaluations[0]).toMatchObject({ confidence: 'green', passed: true, score: 1 });
    expect(evaluations[0]!.review).toMatchObject({
      agent: 'api',
      model: JUDGE,
      status: 'parsed',
      criteria: [{ criterion: 'hello.txt says hello', verdict: 'met', evidence: '+hello' }],
    });
    // The reviewer saw the task's criteria and the attempt's diff.
    const prompt = promptOf(reviewerRequests()[0]!);
    expect(prompt).toContain('1. hello.txt says hello');
    expect(prompt).toContain('+hello');
    // Its tokens count into the attempt's (and so the run's) usage.
    const spent = server.exchanges
      .filter((e) => !isFinalReview(e))
      .reduce((sum, e) => sum + e.usage.prompt_tokens, 0);
    expect(view.attempts[0]!.usage?.inputTokens).toBe(spent);

    const status = await runMain(['status'], repo);
    expect(status.stdout).toContain(`review by api (${JUDGE}): 1/1 criteria met, 0 critiques`);
    const json = JSON.parse((await runMain(['status', '--json'], repo)).stdout) as {
      attempts: { evaluation: { review: { status: string } } }[];
    };
    expect(json.attempts[0]!.evaluation.review.status).toBe('parsed');
    const logs = await runMain(['logs', '--task', 'hello'], repo);
    expect(logs.stdout).toContain('✓ met: hello.txt says hello');
  }, 120_000);

  it('sends a not-met criterion back to rework with the critique in the prompt, then merges', async () => {
    server = await startModels([
      verdict(
        [{ id: 1, verdict: 'not_met', evidence: 'hello.txt is empty' }],
        [{ severity: 'major', text: 'hello.txt must contain the word hello' }],
      ),
      verdict([{ id: 1, verdict: 'met', evidence: '+hello' }]),
    ]);
    const { final, view, evaluations, repo } = await runPlan(
      plan(server.url, `reviewer: { agent: api, model: ${JUDGE} }`),
    );
    expect(final.status).toBe('completed');
    expect(evaluations.map((e) => e.confidence)).toEqual(['red', 'green']);
    expect(evaluations[0]!.passed).toBe(false);
    expect(view.attempts.map((a) => a.kind)).toEqual(['first', 'rework']);
    expect(view.attempts[1]!.feedback).toContain('critique (major): hello.txt must contain the word hello');
    expect(view.attempts[1]!.feedback).toContain('NOT MET: hello.txt says hello');
    // The rework session itself was told.
    const reworkPrompt = server.exchanges.filter((e) => e.body.model === WORKER)[2]!;
    expect(promptOf(reworkPrompt)).toContain('hello.txt must contain the word hello');

    const status = await runMain(['status'], repo);
    expect(status.stdout).toContain('✗ not met: hello.txt says hello');
  }, 120_000);

  it('asks once more after an unreadable reply, then counts cannot_tell: never green', async () => {
    server = await startModels(['Looks great, ship it!', 'Really, it is fine.']);
    const { evaluations } = await runPlan(plan(server.url, `reviewer: { agent: api, model: ${JUDGE} }`));
    expect(reviewerRequests()).toHaveLength(2);
    expect(promptOf(reviewerRequests()[1]!)).toContain('Your previous reply could not be read');
    expect(evaluations[0]!.confidence).toBe('yellow');
    expect(evaluations[0]!.review).toMatchObject({
      status: 'unreadable',
      sessions: 2,
      criteria: [{ verdict: 'cannot_tell' }],
    });
  }, 120_000);

  it('is red when a required check fails, whatever the reviewer says', async () => {
    server = await startModels([verdict([{ id: 1, verdict: 'met' }]), verdict([{ id: 1, verdict: 'met' }])]);
    // Passes on the base commit; fails once hello.txt exists.
    const check = "process.exit(require('fs').existsSync('hello.txt') ? 1 : 0)";
    const { final, evaluations } = await runPlan(
      plan(
        server.url,
        `reviewer: { agent: api, model: ${JUDGE} }\nverifiers: { commands: { test: [node, check.cjs] } }`,
      ),
      { 'check.cjs': `${check}\n` },
    );
    expect(final.status).toBe('failed');
    expect(evaluations.length).toBeGreaterThan(0);
    for (const evaluation of evaluations) {
      expect(evaluation.review?.criteria[0]?.verdict).toBe('met');
      expect(evaluation).toMatchObject({ confidence: 'red', passed: false });
    }
  }, 120_000);

  it('runs no reviewer under `reviewer: none`', async () => {
    server = await startModels([]);
    const { final, evaluations } = await runPlan(plan(server.url, 'reviewer: none'));
    expect(final.status).toBe('completed');
    expect(reviewerRequests()).toHaveLength(0);
    expect(evaluations[0]!.review).toBeUndefined();
  }, 120_000);
});
