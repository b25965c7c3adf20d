import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/index.js';
import { GAFFER_BIN, runCli, runCliAndKill } from '../support/cli.js';
import type { CliResult } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';

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

const TASKS = ['a', 'b', 'c', 'd', 'e', 'f'];

const newRepo = () =>
  makeRepo({ 'plan.yaml': PLAN, 'check.mjs': CHECK, 'seed.txt': 'seed\n' }, 'gaffer-kill-');

const dbPath = (repo: string) => join(repo, '.gaffer', 'gaffer.db');

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
  const store = await openStore(dbPath(repo));
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

/** A moment to kill at: the first event of `type` (for `task`, if given) recorded after the start. */
interface KillPoint {
  type: string;
  task?: string;
}

const label = (point: KillPoint) => `${point.type}${point.task ? ` of ${point.task}` : ''}`;

/**
 * The id of the newest event and whether one matching `point` came after `afterId`, read through a
 * read-only connection: opening the store would migrate, which must not race the engine's own
 * start-up. Throws while the database or its tables do not exist yet (waitFor polls again).
 */
function readEventLog(repo: string, point: KillPoint | undefined, afterId: number) {
  const db = new Database(dbPath(repo), { readonly: true, fileMustExist: true });
  try {
    const last = db.prepare('select max(id) as id from events').get() as { id: number | null };
    const hit =
      point !== undefined &&
      db
        .prepare('select 1 from events where id > ? and type = ? and (? is null or task_id = ?) limit 1')
        .get(afterId, point.type, point.task ?? null, point.task ?? null) !== undefined;
    return { lastId: last.id ?? 0, hit };
  } finally {
    db.close();
  }
}

function lastEventId(repo: string): number {
  try {
    return readEventLog(repo, undefined, 0).lastId;
  } catch {
    return 0; // no database yet
  }
}

/**
 * Starts `gaffer <args>`, and SIGKILLs it as soon as the event log shows `point`. Resolves with
 * whether the kill landed while the process was still running (it may finish first).
 */
async function runAndKillAt(args: string[], repo: string, point: KillPoint): Promise<{ killed: boolean }> {
  const afterId = lastEventId(repo);
  const child = spawn(process.execPath, [GAFFER_BIN, ...args], {
    cwd: repo,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: 'ignore',
  });
  let exited = false;
  const closed = new Promise<void>((resolve) =>
    child.on('close', () => {
      exited = true;
      resolve();
    }),
  );
  const seen = await waitFor(
    () => (readEventLog(repo, point, afterId).hit ? 'event' : exited && 'exited'),
    label(point),
  );
  const killed = seen === 'event' && !exited && child.kill('SIGKILL');
  await closed;
  return { killed };
}

/**
 * Resumes (or, if the kill came before the run was recorded, starts again) until the run ends.
 * Every resume must itself exit 0 (completed) or 3 (paused, resumable), and the last one 0.
 */
async function finishRun(repo: string, context: string): Promise<void> {
  const exits: CliResult[] = [];
  for (let round = 0; round < 3; round++) {
    const { run } = await runsIn(repo);
    if (run?.status === 'completed') break; // killed after the run had finished: nothing to resume
    const result = run ? await runCli(['resume', run.id], repo) : await runCli(['run', 'plan.yaml'], repo);
    exits.push(result);
    const output = `${context}, resume #${round + 1}: ${result.stderr}${result.stdout}`;
    expect([0, 3], output).toContain(result.code);
    if (result.code === 0) break;
  }
  const last = exits.at(-1);
  if (last) expect(last.code, `${context}: ${last.stderr}${last.stdout}`).toBe(0);
}

async function expectUninterruptedResult(repo: string, expectedTree: string, context: string) {
  const { run, passedEvents, tasks } = await runsIn(repo);
  expect(run?.status, context).toBe('completed');
  expect(
    tasks?.every((t) => t.status === 'passed'),
    context,
  ).toBe(true);
  expect(git(repo, 'rev-parse', `${run!.integrationBranch}^{tree}`), context).toBe(expectedTree);
  for (const task of TASKS) expect(passedEvents.get(task), `${context} task ${task}`).toBe(1);
}

// Kill moments chosen from what the run records, so they land where they are meant to however
// slow the machine: before any work, mid-attempt, between a failed evaluation and its rework,
// right after a merge, during a check, just before the last task. A list of several points kills
// the run at the first, then each resume at the next.
const SCENARIOS: KillPoint[][] = [
  [{ type: 'attempt.started', task: 'a' }],
  [{ type: 'evaluation.completed', task: 'c' }],
  [{ type: 'task.rework', task: 'c' }],
  [{ type: 'merge.completed', task: 'b' }],
  [{ type: 'task.evaluating', task: 'd' }],
  [
    { type: 'attempt.succeeded', task: 'e' },
    { type: 'merge.completed', task: 'c' },
    { type: 'attempt.started', task: 'f' },
  ],
];

/** Runs `jobs` two at a time: the scenarios are independent repositories, and CI time counts. */
async function inLanes(jobs: (() => Promise<void>)[], lanes = 2): Promise<void> {
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job();
    }),
  );
}

describe('kill -9 and resume', () => {
  it('ends every resumed run with the uninterrupted integration tree, never passing a task twice', async () => {
    const reference = newRepo();
    const started = Date.now();
    const first = await runCli(['run', 'plan.yaml'], reference);
    const duration = Date.now() - started;
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const { run: refRun } = await runsIn(reference);
    const expectedTree = git(reference, 'rev-parse', `${refRun!.integrationBranch}^{tree}`);

    const atEvents = SCENARIOS.map((points, i) => async () => {
      const repo = newRepo();
      const context = `scenario #${i}: kill at ${points.map(label).join(', then ')}`;
      for (const [j, point] of points.entries()) {
        const { run } = j === 0 ? { run: undefined } : await runsIn(repo);
        const args = run ? ['resume', run.id] : ['run', 'plan.yaml'];
        const { killed } = await runAndKillAt(args, repo, point);
        // Every point is recorded before the run's end, so the kill must find the run working.
        expect(killed, `${context}: the run ended before ${label(point)}`).toBe(true);
      }
      await finishRun(repo, context);
      await expectUninterruptedResult(repo, expectedTree, context);
    });

    // A few kills at random moments too, drawn from the window the reference run was working in
    // (after its start-up, which a loaded machine stretches). Where they land is not asserted:
    // the event-chosen kills above are the ones that must land mid-run.
    const startup = Math.max(0, Date.parse(refRun!.createdAt) - started);
    const next = random(20261122);
    const atRandom = Array.from({ length: 3 }, (_, i) => {
      const killAt = Math.round(startup + next() * (duration - startup + 100));
      return async () => {
        const repo = newRepo();
        const context = `random kill #${i} at ${killAt} ms`;
        await runCliAndKill(['run', 'plan.yaml'], repo, killAt);
        await finishRun(repo, context);
        await expectUninterruptedResult(repo, expectedTree, context);
      };
    });

    await inLanes([...atEvents, ...atRandom]);
  }, 300_000);
});
