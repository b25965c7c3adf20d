import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { runCli, runCliAndKill } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';

const PLAN = `
name: kill
concurrency: 3
max_rework: 2
agent: script
verifiers:
  commands: { test: "node check.mjs" }
tasks:
  - id: a
    title: A
    agent_config: { steps: [ { sleep_ms: 150 }, { write: { path: a.txt, content: "A" } } ] }
  - id: b
    title: B
    depends_on: [a]
    agent_config: { steps: [ { sleep_ms: 250 }, { write: { path: b.txt, content: "B" } } ] }
  - id: c
    title: C fails its check first
    depends_on: [a]
    agent_config:
      attempts:
        - [ { sleep_ms: 100 }, { write: { path: c.txt, content: "bad" } } ]
        - [ { sleep_ms: 100 }, { write: { path: c.txt, content: "C" } } ]
  - id: d
    title: D
    depends_on: [b, c]
    agent_config: { steps: [ { sleep_ms: 200 }, { write: { path: d.txt, content: "D" } } ] }
  - id: e
    title: E
    agent_config: { steps: [ { sleep_ms: 300 }, { write: { path: e/e.txt, content: "E" } } ] }
  - id: f
    title: F
    depends_on: [d, e]
    agent_config: { steps: [ { sleep_ms: 100 }, { write: { path: f.txt, content: "F" } }, { delete: seed.txt } ] }
`;

const CHECK = `import { existsSync, readFileSync } from 'node:fs';
if (existsSync('c.txt') && readFileSync('c.txt', 'utf8') === 'bad') {
  console.error('c.txt must not say bad');
  process.exit(1);
}
`;

const newRepo = () =>
  makeRepo({ 'plan.yaml': PLAN, 'check.mjs': CHECK, 'seed.txt': 'seed\n' }, 'gaffer-kill-');

/** Seeded PRNG (mulberry32) so a failing kill moment can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function runsIn(repo: string) {
  const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  try {
    const runs = await store.listRuns();
    const run = runs[0];
    if (!run) return { run: undefined, passedEvents: new Map<string, number>() };
    const events = await store.readEvents({ runId: run.id });
    const passedEvents = new Map<string, number>();
    for (const e of events)
      if (e.type === 'task.passed')
        passedEvents.set(e.taskId ?? '', (passedEvents.get(e.taskId ?? '') ?? 0) + 1);
    return { run, passedEvents, tasks: await store.listTasks(run.id) };
  } finally {
    await store.close();
  }
}

describe('kill -9 and resume', () => {
  it('ends every resumed run with the uninterrupted integration tree, never passing a task twice', async () => {
    const reference = newRepo();
    const started = Date.now();
    const first = await runCli(['run', 'plan.yaml'], reference);
    const duration = Date.now() - started;
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const { run: refRun } = await runsIn(reference);
    // Kill moments fall in the window the reference run was actually working (after its start-up,
    // which a loaded machine stretches), so most of them land mid-run.
    const startup = Math.max(0, Date.parse(refRun!.createdAt) - started);
    const expectedTree = git(reference, 'rev-parse', `${refRun!.integrationBranch}^{tree}`);

    const next = random(20261122);
    const KILLS = 20;
    let killedMidRun = 0;
    for (let i = 0; i < KILLS; i++) {
      const repo = newRepo();
      const killAt = Math.round(startup + next() * (duration - startup + 100));
      await runCliAndKill(['run', 'plan.yaml'], repo, killAt);
      const { run: killed } = await runsIn(repo);
      if (killed && killed.status !== 'completed') killedMidRun += 1;
      let final;
      for (let round = 0; round < 3; round++) {
        const { run } = await runsIn(repo);
        // Killed after the run had finished: nothing left to resume.
        if (run?.status === 'completed') {
          final = { code: 0, signal: null, stdout: '', stderr: '' };
          break;
        }
        // Killed before the run was recorded: nothing to resume, start again.
        const result = run
          ? await runCli(['resume', run.id], repo)
          : await runCli(['run', 'plan.yaml'], repo);
        final = result;
        if (result.code === 0) break;
      }
      const context = `kill #${i} at ${killAt} ms: ${final?.stderr ?? ''}${final?.stdout ?? ''}`;
      expect(final?.code, context).toBe(0);
      const { run, passedEvents, tasks } = await runsIn(repo);
      expect(run?.status, context).toBe('completed');
      expect(
        tasks?.every((t) => t.status === 'passed'),
        context,
      ).toBe(true);
      expect(git(repo, 'rev-parse', `${run!.integrationBranch}^{tree}`), context).toBe(expectedTree);
      for (const task of ['a', 'b', 'c', 'd', 'e', 'f'])
        expect(passedEvents.get(task), `${context} task ${task}`).toBe(1);
    }
    // Most kills must land while the run is under way, or the test proves little.
    expect(killedMidRun).toBeGreaterThanOrEqual(KILLS / 2);
  }, 300_000);
});
