import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentRegistry } from '../../src/agents/index.js';
import type { GafferEvent, SessionInput, StoredEvent } from '../../src/domain/index.js';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store, StoreTx } from '../../src/store/index.js';
import { FakeAgent, succeeded } from '../support/fakes/fake-agent.js';
import { git, makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';

// Two tasks, each fine alone, that break the repository's check once both are merged: the
// second merge's health check fails on the integration branch, which is where only it can.

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const CHECK = `import { existsSync, readFileSync } from 'node:fs';
const on = (file) => existsSync(file) && readFileSync(file, 'utf8').trim() === 'on';
if (on('a.txt') && on('b.txt')) {
  console.error('a.txt and b.txt are both on: the features clash');
  process.exit(1);
}
`;

const plan = (extra = '') => `agent: fake
concurrency: 2
max_rework: 2
autonomy: full_auto
verifiers:
  commands: { test: "node check.mjs" }
${extra}
tasks:
  - id: a
    title: Turn a on
  - id: b
    title: Turn b on
`;

/**
 * The agent: both first attempts start before either writes (so each is checked alone, on the
 * base), each turns its feature on; a rework notes what its worktree held and makes its feature
 * get along with the other one.
 */
function clashingAgents() {
  const seenByRework = new Map<string, string | undefined>();
  let started = 0;
  let release: () => void = () => undefined;
  const bothStarted = new Promise<void>((resolve) => (release = resolve));
  const act = async (input: SessionInput) => {
    const file = join(input.cwd, `${input.taskId}.txt`);
    if (input.attemptNumber === 1) {
      if (++started === 2) release();
      await bothStarted;
      writeFileSync(file, 'on\n');
      return;
    }
    seenByRework.set(input.taskId, existsSync(file) ? readFileSync(file, 'utf8') : undefined);
    writeFileSync(file, 'on, but only where the other is off\n');
  };
  const fake = new FakeAgent([1, 2, 3, 4].map(() => ({ ...succeeded(), act })));
  return { fake, seenByRework };
}

async function drive(files: Record<string, string>, fake: FakeAgent, wrap?: (store: Store) => Store) {
  const repo = makeRepo(files);
  store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  const engine = createEngine({
    store: wrap ? wrap(store) : store,
    controlPollMs: 50,
    agents: createAgentRegistry([fake]),
  });
  const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
  return { repo, run, engine };
}

/** A member of `target`, a method bound to it (stores keep private fields). */
const bound = (target: object, property: string | symbol): unknown => {
  const value: unknown = Reflect.get(target, property);
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
};

const ofType = <T extends GafferEvent['type']>(events: StoredEvent[], type: T) =>
  events.filter((e): e is Extract<StoredEvent, { type: T }> => e.type === type);

/** The integration branch's commits, newest first, as subjects. */
const history = (repo: string, branch: string) =>
  git(repo, 'log', '--first-parent', '--format=%s', branch).trim().split('\n');

describe('health checks after each merge', () => {
  it('takes out the merge that broke the integration branch and reworks its task from its own work', async () => {
    const { fake, seenByRework } = clashingAgents();
    const { repo, run, engine } = await drive({ 'plan.yaml': plan(), 'check.mjs': CHECK }, fake);
    expect((await engine.driveRun(run.id)).status).toBe('completed');
    const events = await store!.readEvents({ runId: run.id });

    // Exactly one merge broke the branch: the second; it was taken out by a reset (nothing on top).
    const health = ofType(events, 'merge.health-checked');
    const failed = health.filter((e) => !e.data.passed);
    expect(failed).toHaveLength(1);
    const culprit = failed[0]!.taskId!;
    expect(failed[0]!.data.checks.find((c) => c.name === 'test')?.tail).toContain('the features clash');
    const reverted = ofType(events, 'merge.reverted');
    expect(reverted).toHaveLength(1);
    expect(reverted[0]).toMatchObject({
      taskId: culprit,
      data: { how: 'reset', commit: failed[0]!.data.merge },
    });
    // Every merge that stayed was checked healthy, the culprit's second one too.
    expect(
      health
        .filter((e) => e.data.passed)
        .map((e) => e.taskId)
        .sort(),
    ).toEqual(['a', 'b']);

    // The rework was told what failed there, and started from its own work on the merged branch.
    const reworkPrompt = fake.inputs.find((i) => i.taskId === culprit && i.attemptNumber === 2)?.prompt;
    expect(reworkPrompt).toContain('the features clash');
    expect(reworkPrompt).toContain('taken back out');
    expect(seenByRework.get(culprit)).toBe('on\n');
    expect([...seenByRework.keys()]).toEqual([culprit]);

    // The branch holds both tasks once each, and no trace of the merge taken out.
    const integration = run.integrationBranch;
    expect(history(repo, integration).slice(0, 2).sort()).toEqual(['Turn a on', 'Turn b on']);
    expect(history(repo, integration)).toHaveLength(3);
    expect(git(repo, 'show', `${integration}:${culprit}.txt`).trim()).toBe(
      'on, but only where the other is off',
    );
    const view = await engine.runView(run.id);
    expect(view.tasks.find((t) => t.taskId === culprit)).toMatchObject({ status: 'passed', reworks: 1 });
    // The drive's health checkout is gone with the drive.
    expect(existsSync(join(repo, '.gaffer', 'health', 'worktrees', run.slug))).toBe(false);
  });

  it('with `health_checks: false` merges both and checks nothing on the integration branch', async () => {
    const { fake } = clashingAgents();
    const { repo, run, engine } = await drive(
      {
        'plan.yaml': plan().replace(
          'commands: { test: "node check.mjs" }',
          'commands: { test: "node check.mjs" }\n  health_checks: false',
        ),
        'check.mjs': CHECK,
      },
      fake,
    );
    expect((await engine.driveRun(run.id)).status).toBe('completed');
    const events = await store!.readEvents({ runId: run.id });
    expect(ofType(events, 'merge.health-checked')).toEqual([]);
    expect(git(repo, 'show', `${run.integrationBranch}:a.txt`).trim()).toBe('on');
    expect(git(repo, 'show', `${run.integrationBranch}:b.txt`).trim()).toBe('on');
  });

  it('a crash after the merge is taken out but before that is recorded takes it out once, on resume', async () => {
    const { fake, seenByRework } = clashingAgents();
    let crashed = false;
    // The engine dies at the line that records the take-out: git has done it, the store has not.
    const crashOnce = (inner: Store): Store =>
      new Proxy(inner, {
        get(target, property) {
          if (property !== 'transaction') return bound(target, property);
          return <T>(fn: (tx: StoreTx) => Promise<T>) =>
            target.transaction((tx) =>
              fn(
                new Proxy(tx, {
                  get(t, p) {
                    if (p !== 'appendEvent') return bound(t, p);
                    return (event: GafferEvent) => {
                      if (event.type === 'merge.reverted' && !crashed) {
                        crashed = true;
                        throw new Error('simulated crash before the take-out is recorded');
                      }
                      return t.appendEvent(event);
                    };
                  },
                }),
              ),
            );
        },
      });
    const { repo, run, engine } = await drive({ 'plan.yaml': plan(), 'check.mjs': CHECK }, fake, crashOnce);
    await expect(engine.driveRun(run.id)).rejects.toThrow('simulated crash');
    expect(crashed).toBe(true);
    expect((await engine.driveRun(run.id)).status).toBe('completed');

    const events = await store!.readEvents({ runId: run.id });
    expect(ofType(events, 'merge.reverted')).toHaveLength(1);
    const culprit = ofType(events, 'merge.reverted')[0]!.taskId!;
    // One rework, from the task's own work; the branch has each task once and no revert commit.
    expect(fake.inputs.filter((i) => i.taskId === culprit && i.attemptNumber === 2)).toHaveLength(1);
    expect(seenByRework.get(culprit)).toBe('on\n');
    expect(history(repo, run.integrationBranch)).toHaveLength(3);
    expect(git(repo, 'log', '--format=%B', run.integrationBranch)).not.toContain('Gaffer-Reverts');
  });

  it('holds every other merge until the broken one is out: a task merging meanwhile is not blamed for it', async () => {
    // In the health checkout, the clash waits for the test's word (a file) before failing, so a
    // third task can finish and queue its merge while the broken merge is being judged.
    const check = `import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const on = (file) => existsSync(file) && readFileSync(file, 'utf8').trim() === 'on';
if (on('a.txt') && on('b.txt')) {
  if (process.cwd().includes('/.gaffer/health/')) {
    writeFileSync('waiting', '');
    while (!existsSync('release')) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  console.error('a.txt and b.txt are both on: the features clash');
  process.exit(1);
}
`;
    let cGo: () => void = () => undefined;
    const cMayFinish = new Promise<void>((resolve) => (cGo = resolve));
    let started = 0;
    let release: () => void = () => undefined;
    const allStarted = new Promise<void>((resolve) => (release = resolve));
    const act = async (input: SessionInput) => {
      const file = join(input.cwd, `${input.taskId}.txt`);
      if (input.attemptNumber > 1) return writeFileSync(file, 'on, but only where the other is off\n');
      if (++started === 3) release();
      await allStarted;
      if (input.taskId === 'c') await cMayFinish;
      writeFileSync(file, 'on\n');
    };
    const fake = new FakeAgent([1, 2, 3, 4, 5, 6].map(() => ({ ...succeeded(), act })));
    const threeTasks =
      plan().replace('concurrency: 2', 'concurrency: 3') + '  - id: c\n    title: Turn c on\n';
    const { repo, run, engine } = await drive({ 'plan.yaml': threeTasks, 'check.mjs': check }, fake);
    const driving = engine.driveRun(run.id);
    const checkout = join(repo, '.gaffer', 'health', 'worktrees', run.slug);
    await waitFor(
      () => existsSync(join(checkout, 'waiting')),
      'the clashing merge to be in its health check',
    );
    cGo();
    await waitFor(
      async () =>
        (await store!.readEvents({ runId: run.id, taskId: 'c', types: ['evaluation.completed'] })).length > 0,
      "c's evaluation, after which it queues its merge",
    );
    writeFileSync(join(checkout, 'release'), '');
    expect((await driving).status).toBe('completed');

    const events = await store!.readEvents({ runId: run.id });
    const failed = ofType(events, 'merge.health-checked').filter((e) => !e.data.passed);
    expect(failed.map((e) => e.taskId)).toHaveLength(1);
    expect(failed[0]!.taskId).not.toBe('c');
    // Taken out by a reset: nothing had merged on top of it.
    expect(ofType(events, 'merge.reverted').map((e) => [e.taskId, e.data.how])).toEqual([
      [failed[0]!.taskId, 'reset'],
    ]);
    expect(git(repo, 'log', '--format=%s', run.integrationBranch)).not.toContain('take out');
  });

  it('a pause during the health check takes the unchecked merge out; the resume merges and checks it again', async () => {
    const check = `import { existsSync, writeFileSync } from 'node:fs';
if (existsSync('a.txt') && process.cwd().includes('/.gaffer/health/')) {
  writeFileSync('waiting', '');
  while (!existsSync('release')) await new Promise((resolve) => setTimeout(resolve, 20));
}
`;
    const act = (input: SessionInput) => writeFileSync(join(input.cwd, 'a.txt'), 'on\n');
    const fake = new FakeAgent([1, 2].map(() => ({ ...succeeded(), act })));
    const onlyA = plan().replace(/ {2}- id: b\n {4}title: Turn b on\n/, '');
    const { repo, run, engine } = await drive({ 'plan.yaml': onlyA, 'check.mjs': check }, fake);
    const base = git(repo, 'rev-parse', 'main').trim();
    const checkout = join(repo, '.gaffer', 'health', 'worktrees', run.slug);
    const first = engine.driveRun(run.id);
    await waitFor(() => existsSync(join(checkout, 'waiting')), 'the merge to be in its health check');
    await engine.requestPause(run.id, 'lunch');
    expect((await first).status).toBe('paused');
    // Not checked, not kept: the integration branch is back at the base.
    expect(git(repo, 'rev-parse', run.integrationBranch).trim()).toBe(base);
    const events = await store!.readEvents({ runId: run.id });
    expect(ofType(events, 'merge.reverted')).toMatchObject([{ taskId: 'a', data: { how: 'reset' } }]);
    expect(ofType(events, 'merge.completed')).toEqual([]);

    const second = engine.driveRun(run.id);
    await waitFor(() => existsSync(join(checkout, 'waiting')), 'the merge to be checked again');
    writeFileSync(join(checkout, 'release'), '');
    expect((await second).status).toBe('completed');
    // One agent session: the resume merged the same work again.
    expect(fake.inputs).toHaveLength(1);
    expect(git(repo, 'show', `${run.integrationBranch}:a.txt`).trim()).toBe('on');
    expect(history(repo, run.integrationBranch)).toHaveLength(2);
  });
});
