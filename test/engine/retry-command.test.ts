import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, worktreePath } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { runMain } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';

// The check needs a tool from the environment once a task has written needs-tool.txt.
const CHECK = `import { existsSync } from 'node:fs';
if (existsSync('needs-tool.txt') && !process.env.GAFFER_TEST_TOOL) {
  console.error('the tool is not installed: set GAFFER_TEST_TOOL');
  process.exit(1);
}
`;

const PLAN = `agent: script
max_rework: 0
verifiers: { commands: { test: "node check.mjs" } }
tasks:
  - id: a
    title: Independent
    agent_config: { steps: [ { write: { path: a.txt, content: "A" } } ] }
  - id: b
    title: Needs the tool
    agent_config: { steps: [ { write: { path: needs-tool.txt, content: "B" } } ] }
  - id: c
    title: After b
    depends_on: [b]
    agent_config: { steps: [ { write: { path: c.txt, content: "C" } } ] }
`;

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function failedRun() {
  const repo = makeRepo({ 'plan.yaml': PLAN, 'check.mjs': CHECK });
  const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  stores.push(store);
  const { GAFFER_TEST_TOOL: _unset, ...env } = process.env;
  const engine = createEngine({ store, env, controlPollMs: 50 });
  const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo, keepGoing: true });
  const final = await engine.driveRun(run.id);
  return { repo, store, run, final };
}

const statuses = async (store: Store, runId: string) =>
  Object.fromEntries((await store.listTasks(runId)).map((t) => [t.taskId, t.status]));

describe('gaffer retry', () => {
  it('finishes a run that failed for an environment reason once the environment is fixed, keeping what passed', async () => {
    const { repo, store, run, final } = await failedRun();
    expect(final.status).toBe('failed');
    expect(await statuses(store, run.id)).toEqual({ a: 'passed', b: 'blocked', c: 'skipped' });
    const blockedWorktree = worktreePath(repo, run.slug, 'b');
    expect(existsSync(blockedWorktree)).toBe(true);

    const fixed = createEngine({ store, env: { ...process.env, GAFFER_TEST_TOOL: '1' }, controlPollMs: 50 });
    const reopened = await fixed.retryRun(run.id);
    expect(reopened.status).toBe('paused');
    // Started over: the blocked task's worktree and branch went with its old work.
    expect(existsSync(blockedWorktree)).toBe(false);
    const done = await fixed.driveRun(run.id);
    expect(done.status).toBe('completed');
    expect(await statuses(store, run.id)).toEqual({ a: 'passed', b: 'passed', c: 'passed' });

    const events = await store.readEvents({ runId: run.id });
    // `a` passed once and was not redone; b's new history started with a fresh first attempt.
    expect(events.filter((e) => e.type === 'task.passed' && e.taskId === 'a')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'attempt.started' && e.taskId === 'a')).toHaveLength(1);
    const bAttempts = await store.listAttempts(run.id, 'b');
    expect(bAttempts.map((a) => [a.number, a.kind])).toEqual([
      [1, 'first'],
      [2, 'first'],
    ]);
    expect(git(repo, 'show', `${run.integrationBranch}:c.txt`)).toBe('C');
  });

  it('with --continue carries on from the last attempt, told what stopped it', async () => {
    const { store, run } = await failedRun();
    const fixed = createEngine({ store, env: { ...process.env, GAFFER_TEST_TOOL: '1' }, controlPollMs: 50 });
    await fixed.retryRun(run.id, { tasks: ['b'], keepWork: true });
    expect((await fixed.driveRun(run.id)).status).toBe('completed');
    const [, second] = await store.listAttempts(run.id, 'b');
    expect(second?.kind).toBe('rework');
    expect(second?.feedback).toContain('the tool is not installed');
    expect((await store.getTask(run.id, 'b'))?.reworks).toBe(1);
  });

  it('refuses what it cannot retry, with the way forward, and changes nothing', async () => {
    const { repo, store, run } = await failedRun();
    const unknown = await runMain(['retry', run.id, '--task', 'nope'], repo);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no task "nope"');
    const passed = await runMain(['retry', run.id, '--task', 'a'], repo);
    expect(passed.code).toBe(2);
    expect(passed.stderr).toContain('task a is passed');
    expect((await store.getRun(run.id))?.status).toBe('failed');

    const resume = await runMain(['resume', run.id], repo);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain(`has already ended (failed)`);
    expect(resume.stderr).toContain(`gaffer retry ${run.id}`);
    expect(resume.stdout).toBe('');

    await createEngine({ store }).retryRun(run.id);
    const again = await runMain(['retry', run.id], repo);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is paused');
    expect(again.stderr).toContain(`gaffer resume ${run.id}`);
  });
});
