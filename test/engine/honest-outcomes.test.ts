import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { git, makeRepo } from '../support/repo.js';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function runPlan(plan: string) {
  const repo = makeRepo({ 'plan.yaml': plan });
  store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  const engine = createEngine({ store, controlPollMs: 50 });
  const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
  const final = await engine.driveRun(run.id);
  return { repo, run, final, view: await engine.runView(run.id) };
}

const parentsOf = (repo: string, commit: string) =>
  git(repo, 'rev-list', '--parents', '-n1', commit).split(' ').length - 1;

describe('honest outcomes', () => {
  it('fails an attempt that changes nothing, and tells the agent why', async () => {
    const { final, view } = await runPlan(`agent: script
max_rework: 1
autonomy: full_auto
tasks:
  - id: idle
    title: Says it is done without doing anything
    agent_config: { steps: [ { say: "all done" } ] }
`);
    expect(final.status).toBe('failed');
    expect(view.tasks[0]).toMatchObject({ status: 'blocked', reason: 'changes failed' });
    const [first, second] = view.attempts;
    expect(first?.evaluation?.results[0]).toMatchObject({ name: 'changes', passed: false });
    expect(second?.feedback).toContain('The attempt changed no file');
  });

  it('passes a task that only checks when it allows an empty result', async () => {
    const { final, view } = await runPlan(`agent: script
autonomy: full_auto
tasks:
  - id: audit
    title: Only looks
    allow_empty: true
    agent_config: { steps: [ { say: "looked, nothing to change" } ] }
`);
    expect(final.status).toBe('completed');
    expect(view.tasks[0]?.status).toBe('passed');
  });

  it('lands each task as one squashed commit by default, and as a merge commit with merge: keep', async () => {
    const tasks = `tasks:
  - id: one
    title: Add one
    agent_config: { steps: [ { write: { path: one.txt, content: "1" } } ] }
  - id: two
    title: Add two
    depends_on: [one]
    agent_config: { steps: [ { write: { path: two.txt, content: "2" } } ] }
`;
    const squash = await runPlan(`agent: script\nautonomy: full_auto\n${tasks}`);
    expect(squash.final.status).toBe('completed');
    const squashed = git(squash.repo, 'rev-list', `main..${squash.run.integrationBranch}`).split('\n');
    expect(squashed).toHaveLength(2);
    for (const commit of squashed) expect(parentsOf(squash.repo, commit)).toBe(1);
    expect(git(squash.repo, 'log', '-1', '--format=%s', squash.run.integrationBranch)).toBe('Add two');
    await store?.close();
    store = undefined;

    const keep = await runPlan(`agent: script\nautonomy: full_auto\nmerge: keep\n${tasks}`);
    expect(keep.final.status).toBe('completed');
    const merges = git(keep.repo, 'rev-list', '--merges', `main..${keep.run.integrationBranch}`).split('\n');
    expect(merges).toHaveLength(2);
    for (const commit of merges) expect(parentsOf(keep.repo, commit)).toBe(2);
  });
});

describe('what an agent breaks in its own worktree', () => {
  it('is the task’s setback, not an engine error: a broken package.json fails its checks', async () => {
    const files = {
      'package.json': JSON.stringify({ name: 'x', scripts: { test: 'node -e "0"' } }),
    };
    const repo = makeRepo({
      ...files,
      'plan.yaml': `agent: script
max_rework: 0
autonomy: full_auto
tasks:
  - id: breaks
    title: Leaves a trailing comma
    agent_config: { steps: [ { write: { path: package.json, content: '{ "name": "x", "scripts": { "test": "node -e 0" }, }' } } ] }
`,
    });
    store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    const engine = createEngine({ store, controlPollMs: 50 });
    const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
    const final = await engine.driveRun(run.id);
    expect(final.status).toBe('failed');
    const view = await engine.runView(run.id);
    expect(view.tasks[0]).toMatchObject({ status: 'blocked', reason: 'checks failed' });
    expect(view.attempts[0]?.evaluation?.results[0]?.output).toContain('package.json');
  });
});
