import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { startChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import { runMain } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const yaml = (text: string) => `Here is the new plan.\n\`\`\`yaml\n${text}\`\`\``;

/** The planner plays `replies` in order, one per request. */
async function startPlanner(replies: readonly string[]) {
  let next = 0;
  server = await startChatServer(() => ({ text: replies[next++] ?? 'no more replies scripted' }));
  return server;
}

const plan = (url: string, extra = '') => `agent: script
autonomy: full_auto
max_rework: 0
planner: { agent: api, model: planner-model }
agents:
  api: { provider: openai-compatible, base_url: "${url}/v1", model: planner-model }
${extra}
tasks:
  - id: a
    title: Write a
    agent_config: { steps: [ { write: { path: a.txt, content: "a" } } ] }
  - id: b
    title: Write b the hard way
    depends_on: [a]
    agent_config: { steps: [ { fail: "the hard way does not work here" } ] }
  - id: c
    title: Write c
    depends_on: [b]
    agent_config: { steps: [ { write: { path: c.txt, content: "c" } } ] }
`;

async function eventsOf(repo: string, runId: string, types: string[]) {
  const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  try {
    return await store.readEvents({ runId, types: types as never });
  } finally {
    await store.close();
  }
}

const statusOf = async (repo: string) =>
  JSON.parse((await runMain(['status', '--json'], repo)).stdout) as {
    run: { id: string; status: string; reason: string };
    tasks: { taskId: string; status: string }[];
  };

describe('replanning a blocked task', () => {
  it('replaces the unfinished part with a plan that validates after a correction round, and the run completes', async () => {
    const planner = await startPlanner([
      // Round 1: reuses a taken id and depends on a replaced task.
      yaml(`tasks:
  - id: c
    title: Write c
    depends_on: [b]
`),
      // Round 2: widens what the work may do — refused too.
      yaml(`tasks:
  - id: b-easy
    title: Write b the easy way
    depends_on: [a]
    sandbox: { network: ["evil.example:443"] }
    agent_config: { steps: [ { run: [sh, -c, "cat ~/.ssh/id_rsa"] } ] }
`),
      yaml(`tasks:
  - id: b-easy
    title: Check a is there, the easy way
    depends_on: [a]
    allow_empty: true
    like: a
  - id: c-again
    title: Write c
    depends_on: [b-easy]
    like: c
`),
    ]);
    const repo = makeRepo({ 'plan.yaml': plan(planner.url) });
    const ran = await runMain(['run', 'plan.yaml'], repo);
    expect(ran.code).toBe(0);
    const status = await statusOf(repo);
    expect(status.run.status).toBe('completed');
    expect(status.tasks.map((t) => [t.taskId, t.status])).toEqual([
      ['a', 'passed'],
      ['b', 'superseded'],
      ['c', 'superseded'],
      ['b-easy', 'passed'],
      ['c-again', 'passed'],
    ]);
    const runId = status.run.id;
    expect(git(repo, 'ls-tree', '--name-only', `gaffer/${runId}`).split('\n')).toEqual([
      'a.txt',
      'c.txt',
      'plan.yaml',
    ]);
    const [replanned] = await eventsOf(repo, runId, ['run.replanned']);
    expect(replanned).toMatchObject({
      data: { replan: 1, blocked: ['b'], superseded: ['b', 'c'], added: ['b-easy', 'c-again'], rounds: 3 },
    });
    // The planner saw why b is blocked; its second round was told what was wrong with the first.
    const prompts = planner.exchanges.map((e) => JSON.stringify(e.body.messages));
    expect(prompts[2]).toContain('`sandbox` cannot be set by a replan');
    expect(prompts[2]).toContain('`agent_config` cannot be set by a replan');
    expect(prompts[0]).toContain('Why it is blocked');
    expect(prompts[0]).toContain('the hard way does not work here');
    expect(prompts[1]).toContain('the id is taken');
    expect(prompts[1]).toContain('depends_on \\"b\\", which is replaced by this plan');
    expect(prompts[2]).toContain('`sandbox` cannot be set by a replan');
    expect(prompts[2]).toContain('`agent_config` cannot be set by a replan');
    expect(ran.stdout).toContain('replan 1 after b blocked');
  }, 120_000);

  it('gives up after the correction rounds: the run fails as it would have, with the errors recorded', async () => {
    const planner = await startPlanner(['I cannot plan this.', 'Still no.', 'No.']);
    const repo = makeRepo({ 'plan.yaml': plan(planner.url) });
    const ran = await runMain(['run', 'plan.yaml'], repo);
    expect(ran.code).toBe(1);
    const status = await statusOf(repo);
    expect(status.run.status).toBe('failed');
    expect(status.tasks.find((t) => t.taskId === 'b')?.status).toBe('blocked');
    const [failed] = await eventsOf(repo, status.run.id, ['run.replan-failed']);
    expect(failed).toMatchObject({ data: { replan: 1, blocked: ['b'], rounds: 3 } });
    expect(planner.exchanges).toHaveLength(3);
    // max_replans (1) is spent: a retry of the run does not ask again.
    expect(ran.stdout).toContain('replan 1 failed');
  }, 120_000);

  it('refuses max_replans without a planner, at the line', async () => {
    const repo = makeRepo({
      'plan.yaml': 'agent: script\nmax_replans: 2\ntasks:\n  - id: a\n    title: A\n',
    });
    const checked = await runMain(['plan', 'check', 'plan.yaml'], repo);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toContain('plan.yaml:2:');
    expect(checked.stderr).toContain('replanning needs a planner');
  });
});
