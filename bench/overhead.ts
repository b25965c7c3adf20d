/**
 * Orchestration overhead: 200 instant tasks (the scripted agent writes one file) on a real
 * repository, so everything measured is Gaffer's own work — worktree, commit, merge, events.
 * Then the store's state-transition throughput next to raw single-row SQLite inserts,
 * measured in the same run on the same disk.
 *
 *   npm run bench:overhead [-- --tasks 200 --concurrency 4]
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AttemptRecord, StoredEvent } from '../src/domain/index.js';
import { createEngine } from '../src/engine/index.js';
import { openStore } from '../src/store/index.js';

const { values } = parseArgs({
  options: { tasks: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '4' } },
});
const TASKS = Number(values.tasks);
const CONCURRENCY = Number(values.concurrency);

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });

function makeRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gaffer-bench-overhead-'));
  writeFileSync(join(dir, 'README.md'), '# bench\n');
  const tasks = Array.from({ length: TASKS }, (_, i) => {
    const deps = i >= 10 ? `\n    depends_on: [t${i - 10}]` : '';
    return `  - id: t${i}\n    title: Task ${i}${deps}\n    agent_config: { steps: [ { write: { path: "out/t${i}.txt", content: "${i}" } } ] }`;
  });
  writeFileSync(
    join(dir, 'plan.yaml'),
    `name: overhead\nagent: script\nconcurrency: ${CONCURRENCY}\ntasks:\n${tasks.join('\n')}\n`,
  );
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, '-c', 'user.name=b', '-c', 'user.email=b@b', 'add', '-A');
  git(dir, '-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-qm', 'init');
  return dir;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

function phases(events: StoredEvent[]) {
  const at = new Map<string, number>();
  const spans = {
    'attempt recorded → agent starts (worktree add)': [] as number[],
    'agent ends → passed (guard, commit, checks, merge)': [] as number[],
    'whole task': [] as number[],
  };
  for (const e of events) {
    const key = `${e.taskId}:${e.type}`;
    if (!at.has(key)) at.set(key, Date.parse(e.at));
  }
  for (let i = 0; i < TASKS; i++) {
    const t = (type: string) => at.get(`t${i}:${type}`) ?? NaN;
    spans['attempt recorded → agent starts (worktree add)'].push(t('attempt.running') - t('task.started'));
    spans['agent ends → passed (guard, commit, checks, merge)'].push(
      t('task.passed') - t('attempt.succeeded'),
    );
    spans['whole task'].push(t('task.passed') - t('task.started'));
  }
  return spans;
}

async function transitionsPerSecond(dir: string, runId: string, n: number): Promise<number> {
  const store = await openStore(join(dir, '.gaffer', 'bench-store.db'));
  const source = await openStore(join(dir, '.gaffer', 'gaffer.db'));
  const run = (await source.getRun(runId))!;
  const tasks = await source.listTasks(runId);
  await source.close();
  await store.transaction((tx) =>
    tx.insertRun(run, tasks, {
      type: 'run.created',
      runId,
      data: { planPath: '', tasks: tasks.length, baseBranch: 'main', integrationBranch: 'x' },
    }),
  );
  const started = performance.now();
  let transitions = 0;
  for (let i = 0; transitions < n; i++) {
    const taskId = tasks[i % tasks.length]!.taskId;
    const id = `bench-${i}`;
    const attempt: AttemptRecord = {
      id,
      runId,
      taskId,
      number: 1000 + i,
      kind: 'first',
      status: 'starting',
      agent: 'script',
      worktreePath: '',
      branch: '',
      baseCommit: '',
      headCommit: null,
      nativeSessionId: null,
      feedback: null,
      error: null,
      failure: null,
      usage: null,
      transcriptPath: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    await store.transaction((tx) =>
      tx.insertAttempt(attempt, {
        type: 'attempt.started',
        runId,
        taskId,
        attemptId: id,
        data: { number: 1, kind: 'first', agent: 'script', worktree: '', branch: '' },
      }),
    );
    await store.transaction((tx) =>
      tx.setAttemptStatus(
        id,
        'running',
        {},
        { type: 'attempt.running', runId, taskId, attemptId: id, data: {} },
      ),
    );
    await store.transaction((tx) =>
      tx.setAttemptStatus(
        id,
        'succeeded',
        {},
        {
          type: 'attempt.succeeded',
          runId,
          taskId,
          attemptId: id,
          data: { headCommit: null, filesChanged: 0, usage: null },
        },
      ),
    );
    transitions += 3;
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return transitions / seconds;
}

function rawInsertsPerSecond(dir: string, n: number): number {
  const db = new Database(join(dir, '.gaffer', 'bench-raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'create table t (id integer primary key autoincrement, run_id text, type text, data text, at text)',
  );
  const insert = db.prepare('insert into t (run_id, type, data, at) values (?, ?, ?, ?)');
  const started = performance.now();
  for (let i = 0; i < n; i++) insert.run('r', 'x', '{}', new Date().toISOString());
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return n / seconds;
}

const dir = makeRepo();
const store = await openStore(join(dir, '.gaffer', 'gaffer.db'));
const engine = createEngine({ store });
const wallStart = performance.now();
const run = await engine.createRun({ planPath: join(dir, 'plan.yaml'), cwd: dir });
const final = await engine.driveRun(run.id);
const wall = (performance.now() - wallStart) / 1000;
if (final.status !== 'completed') throw new Error(`run ${final.status}: ${final.reason}`);
const events = await store.readEvents({ runId: run.id });
await store.close();

const spans = phases(events);
const transitions = await transitionsPerSecond(dir, run.id, 3000);
const raw = rawInsertsPerSecond(dir, 3000);

const lines = [
  `## bench:overhead — ${TASKS} instant tasks, concurrency ${CONCURRENCY}, ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Run wall time ${wall.toFixed(1)} s → ${((wall * 1000) / TASKS).toFixed(0)} ms of orchestration per task, ${(TASKS / wall).toFixed(1)} tasks/s; ${events.length} events.`,
  '',
  '| phase (per task) | p50 ms | p95 ms |',
  '|---|---:|---:|',
  ...Object.entries(spans).map(
    ([name, values]) =>
      `| ${name} | ${percentile(values, 50).toFixed(0)} | ${percentile(values, 95).toFixed(0)} |`,
  ),
  '',
  '| store throughput (same disk, same run) | per second |',
  '|---|---:|',
  `| state transitions (row update + event, one transaction each) | ${transitions.toFixed(0)} |`,
  `| raw better-sqlite3 single-row inserts (autocommit, WAL) | ${raw.toFixed(0)} |`,
  `| **ratio transitions ÷ raw inserts** | **${(transitions / raw).toFixed(3)}** |`,
];
console.log(lines.join('\n'));
