import { afterEach, describe, expect, it } from 'vitest';
import { startChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatRequestInfo, ChatServer, ChatTurn } from '../fixtures/model-servers/openai-chat-server.js';
import { runMain } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const WORKER = 'local-coder';
const JUDGE = 'judge-model';

const json = (value: unknown) => `\`\`\`json\n${JSON.stringify(value)}\n\`\`\``;

/** The worker writes its task's file; the judge meets every criterion, and on the whole run names a risk. */
function startModels() {
  return startChatServer((request: ChatRequestInfo): ChatTurn => {
    const prompt = JSON.stringify(request.body.messages);
    if (request.model === JUDGE) {
      if (prompt.includes('the whole run of plan'))
        return {
          text: json({
            criteria: [
              { id: 1, verdict: 'met', evidence: '+hello' },
              { id: 2, verdict: 'met', evidence: '+bye' },
            ],
            critiques: [{ severity: 'minor', text: 'no test covers bye.txt' }],
            summary: 'Both files are there as asked.',
          }),
        };
      return {
        text: json({
          criteria: [{ id: 1, verdict: 'met', evidence: 'the diff' }],
          critiques: [],
          summary: 'ok',
        }),
      };
    }
    const file = prompt.includes('## Task bye:') ? 'bye' : 'hello';
    return request.turn === 0
      ? { toolCalls: [{ name: 'write_file', arguments: { path: `${file}.txt`, content: `${file}\n` } }] }
      : { text: 'Done.' };
  });
}

const plan = (url: string, autonomy: string) => `agent: api
autonomy: ${autonomy}
agents:
  api: { provider: openai-compatible, base_url: "${url}/v1", model: ${WORKER} }
reviewer: { agent: api, model: ${JUDGE} }
verifiers: { commands: { ok: "true" } }
tasks:
  - id: hello
    title: Write hello.txt
    acceptance_criteria: [hello.txt says hello]
  - id: bye
    title: Write bye.txt
    depends_on: [hello]
    acceptance_criteria: [bye.txt says bye]
`;

const finalPrompts = () =>
  server!.exchanges.filter((e) => JSON.stringify(e.body.messages).includes('the whole run of plan'));

describe('the final review of the whole run', () => {
  it('under review_yellow the run waits for its approval, then completes; the reviewer saw every criterion and the whole diff', async () => {
    server = await startModels();
    const repo = makeRepo({ 'plan.yaml': plan(server.url, 'review_yellow') });
    const first = await runMain(['run', 'plan.yaml'], repo);
    expect(first.code).toBe(3);
    expect(first.stdout).toContain('paused: waiting for approval of the final review: gaffer approve');
    const prompt = JSON.stringify(finalPrompts()[0]?.body.messages);
    expect(prompt).toContain('[hello] hello.txt says hello');
    expect(prompt).toContain('[bye] bye.txt says bye');
    expect(prompt).toContain('+hello');
    expect(prompt).toContain('+bye');

    const listed = JSON.parse((await runMain(['approvals', '--json'], repo)).stdout) as {
      kind: string;
      approvalId: string;
      runId: string;
      open: boolean;
    }[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ kind: 'final', open: true });
    const { approvalId, runId } = listed[0]!;
    const status = await runMain(['status'], repo);
    expect(status.stdout).toContain('final review of');
    expect(status.stdout).toContain('no test covers bye.txt');
    expect(status.stdout).toContain(`[${approvalId}] the final review`);

    expect((await runMain(['approve', approvalId], repo)).code).toBe(0);
    const resumed = await runMain(['resume', runId], repo);
    expect(resumed.code).toBe(0);
    // Asked once: the resume found the review of the same integration head and its approval.
    expect(finalPrompts()).toHaveLength(1);
    expect(git(repo, 'show', `gaffer/${runId}:bye.txt`)).toBe('bye');
    expect((await runMain(['approve', approvalId], repo)).code).toBe(2);
  }, 120_000);

  it('a denied final review ends the run failed with the reason', async () => {
    server = await startModels();
    const repo = makeRepo({ 'plan.yaml': plan(server.url, 'review_all') });
    // review_all: each task waits too.
    let code = (await runMain(['run', 'plan.yaml'], repo)).code;
    let listed = JSON.parse((await runMain(['approvals', '--json'], repo)).stdout) as {
      kind: string;
      approvalId: string;
      runId: string;
    }[];
    const runId = listed[0]!.runId;
    while (listed[0]?.kind === 'task') {
      expect(code).toBe(3);
      await runMain(['approve', listed[0].approvalId], repo);
      code = (await runMain(['resume', runId], repo)).code;
      listed = JSON.parse((await runMain(['approvals', '--json'], repo)).stdout) as typeof listed;
    }
    expect(listed[0]?.kind).toBe('final');
    expect(
      (await runMain(['deny', listed[0]!.approvalId, '--reason', 'bye.txt needs a test'], repo)).code,
    ).toBe(0);
    const ended = await runMain(['resume', runId], repo);
    expect(ended.code).toBe(1);
    const run = JSON.parse((await runMain(['status', '--json'], repo)).stdout) as {
      run: { status: string; reason: string };
    };
    expect(run.run).toMatchObject({ status: 'failed' });
    expect(run.run.reason).toContain('the final review was denied by person: bye.txt needs a test');
  }, 120_000);

  it('under full_auto it is recorded and shown, and the run completes', async () => {
    server = await startModels();
    const repo = makeRepo({ 'plan.yaml': plan(server.url, 'full_auto') });
    expect((await runMain(['run', 'plan.yaml'], repo)).code).toBe(0);
    expect(finalPrompts()).toHaveLength(1);
    const status = JSON.parse((await runMain(['status', '--json'], repo)).stdout) as {
      finalReview: { review: { summary: string; critiques: { text: string }[] } };
      openApprovals: unknown[];
    };
    expect(status.finalReview.review.summary).toBe('Both files are there as asked.');
    expect(status.finalReview.review.critiques[0]?.text).toBe('no test covers bye.txt');
    expect(status.openApprovals).toEqual([]);
  }, 120_000);
});
