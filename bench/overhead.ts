/**
 * What a whole task costs in Gaffer next to a bare git loop of the same steps, on a repository of
 * realistic size (2,000 generated source files by default) with a real check: the repository's
 * package.json has a `test` script running `node` on a small test file, which Gaffer detects and
 * runs in every task's worktree. The agent is scripted and instant (it writes one file), so what
 * is measured is the orchestration: worktree, guard, commit, checks, merge, clean-up, events.
 *
 * - Per-task latency (dispatch → worktree gone) and run throughput (tasks/s) are reported apart:
 *   at concurrency > 1 one can grow while the other shrinks.
 * - Phases come from the engine's events (src/domain/events.ts): dispatch is the pipeline's first
 *   `next step` (engine logger), then `task.started` (worktree ready, attempt recorded),
 *   `attempt.running`, `attempt.succeeded` (session ended, guarded, committed; `task.evaluating`
 *   in the same transaction), `evaluation.completed`, `task.passed` (merged; `merge.completed`).
 * - Lock wait is told apart from checkout from outside src (bench/lib/git-probe.ts): when the
 *   repository lock file was taken and released, and each git process — so a phase's time splits
 *   into waiting for the lock, git writing files, and the rest.
 * - The bare loop runs the same steps with plain git at the same concurrency: rev-parse,
 *   `worktree add --no-checkout` + `reset --hard`, write the file, `add` + `commit`, the same
 *   `npm test`, merge-tree + commit-tree + update-ref, `worktree remove` — 10 git processes,
 *   worktree bookkeeping and merge under one in-process mutex (see {@link bareTask}).
 * - The store: state transitions through Gaffer's store ÷ the very same statements (captured from
 *   the store as it runs them, replayed with fresh ids) in raw better-sqlite3 transactions
 *   (`BEGIN IMMEDIATE`, prepared once), same pragmas, same disk, same run.
 *
 *   npm run bench:overhead [-- --tasks 40 --concurrency 4 --files 2000]
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { AttemptRecord, StoredEvent } from '../src/domain/index.js';
import { createEngine, createLogger } from '../src/engine/index.js';
import { openRepo } from '../src/git/index.js';
import { openStore, type StoreTx } from '../src/store/index.js';
import { generateRepo } from './lib/generated-repo.js';
import {
  nowMs,
  startGitProbe,
  subcommandOf,
  type GitCall,
  type GitProbe,
  type LockHold,
} from './lib/git-probe.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '40' },
    concurrency: { type: 'string', default: '4' },
    files: { type: 'string', default: '2000' },
    keep: { type: 'boolean', default: false },
  },
});
const TASKS = Number(values.tasks);
const CONCURRENCY = Number(values.concurrency);
const FILES = Number(values.files);

const exec = promisify(execFile);
const git = async (cwd: string, args: string[], input?: string): Promise<string> => {
  if (input === undefined) return (await exec('git', args, { cwd, maxBuffer: 1 << 26 })).stdout;
  return new Promise((resolve, reject) => {
    const child = execFile('git', args, { cwd }, (error, stdout) =>
      error ? reject(new Error(error.message, { cause: error })) : resolve(stdout),
    );
    child.stdin?.end(input);
  });
};

// ---------------------------------------------------------------------------------------------
// The repository

/** The repository's own test, run by `npm test`: small, real, and it reads the tree it runs in. */
const CHECK_JS = `import { readdirSync, readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
assert.equal(pkg.name, 'bench-overhead');
const outputs = (() => { try { return readdirSync('out'); } catch { return []; } })();
for (const file of outputs) assert.match(readFileSync(\`out/\${file}\`, 'utf8'), /^\\d+$/);
console.log(\`ok \${outputs.length} outputs\`);
`;

const PACKAGE_JSON = JSON.stringify(
  { name: 'bench-overhead', private: true, type: 'module', scripts: { test: 'node test/check.js' } },
  null,
  2,
);

function planYaml(): string {
  const tasks = Array.from({ length: TASKS }, (_, i) => {
    const deps = i >= 10 ? `\n    depends_on: [t${i - 10}]` : '';
    return `  - id: t${i}\n    title: Task ${i}${deps}\n    agent_config: { steps: [ { write: { path: "out/t${i}.txt", content: "${i}" } } ] }`;
  });
  return `name: overhead\nagent: script\nconcurrency: ${CONCURRENCY}\ntasks:\n${tasks.join('\n')}\n`;
}

function makeRepo(): string {
  return generateRepo({
    files: FILES,
    extraFiles: { 'package.json': `${PACKAGE_JSON}\n`, 'test/check.js': CHECK_JS, 'plan.yaml': planYaml() },
  }).root;
}

// ---------------------------------------------------------------------------------------------
// Statistics

const percentile = (xs: readonly number[], p: number) => {
  const sorted = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const duration = (c: GitCall) => c.end - c.start;

/** The phases of one task, ms. */
interface TaskSpans {
  prepare: number;
  prepareLockWait: number;
  prepareCheckout: number;
  sessionStart: number;
  session: number;
  checks: number;
  merge: number;
  mergeLockWait: number;
  cleanup: number;
  whole: number;
  gitProcesses: number;
}

const PHASES: [keyof TaskSpans, string, string][] = [
  [
    'prepare',
    'prepare worktree: dispatch → `task.started`',
    'rev-parse, `worktree add --no-checkout`, `reset --hard`',
  ],
  ['prepareLockWait', '  of which waiting for the repository lock', 'waiting for the mutex'],
  [
    'prepareCheckout',
    '  of which git writing the files (`worktree add`/`reset`/`checkout`/`clean`)',
    '`reset --hard`',
  ],
  ['sessionStart', 'snapshot, session start: `task.started` → `attempt.running`', '–'],
  [
    'session',
    'agent + tamper check + guard + commit: → `attempt.succeeded`',
    'write file + `add` + `commit`',
  ],
  ['checks', 'checks (`npm test`): `task.evaluating` → `evaluation.completed`', '`npm test`'],
  ['merge', 'merge: → `task.passed`', 'mutex + merge-tree, commit-tree, update-ref'],
  ['mergeLockWait', '  of which waiting for the repository lock', 'waiting for the mutex'],
  ['cleanup', 'worktree retire/remove after the pass', 'mutex + `worktree remove`'],
  ['whole', '**whole task: dispatch → worktree gone**', '**whole task**'],
  ['gitProcesses', 'git processes per task', 'git processes per task'],
];

// ---------------------------------------------------------------------------------------------
// Gaffer

/** The lock hold during which `at` happened. */
const holdAt = (holds: readonly LockHold[], at: number) => holds.find((h) => h.start <= at && at <= h.end);

/** Whether a git argument names `branch` (and not a longer one: `…/t1` is not `…/t10`). */
function namesBranch(arg: string, branch: string): boolean {
  const at = arg.indexOf(branch);
  return at !== -1 && !/[\w.-]/.test(arg[at + branch.length] ?? '');
}

/** What belongs to one task in the probe's record: git calls run in its worktree or naming it or its branch. */
function callsOf(calls: readonly GitCall[], worktree: string, branch: string): GitCall[] {
  return calls.filter(
    (c) => c.cwd === worktree || c.args.some((a) => a === worktree || namesBranch(a, branch)),
  );
}

function gafferSpans(
  events: StoredEvent[],
  dispatched: Map<string, number>,
  probe: GitProbe,
  root: string,
  slug: string,
): TaskSpans[] {
  const at = new Map<string, number>();
  for (const e of events) {
    const key = `${e.taskId}:${e.type}`;
    if (!at.has(key)) at.set(key, Date.parse(e.at));
  }
  return Array.from({ length: TASKS }, (_, i) => {
    const id = `t${i}`;
    const t = (type: string) => at.get(`${id}:${type}`) ?? Number.NaN;
    const worktree = join(root, '.gaffer', 'worktrees', slug, id);
    const branch = `gaffer-tasks/${slug}/${id}`;
    const dispatch = dispatched.get(id) ?? Number.NaN;
    const started = t('task.started');
    const mine = callsOf(probe.calls, worktree, branch);
    // addWorktree resolves the path just before it asks for the lock.
    const asked = probe.realpaths.find((r) => r.path === worktree && r.at >= dispatch)?.at ?? Number.NaN;
    const register = mine.find(
      (c) =>
        c.start >= dispatch &&
        c.start <= started &&
        ['worktree add', 'worktree move'].includes(subcommandOf(c)),
    );
    const prepareHold = register ? holdAt(probe.holds, register.start) : undefined;
    const writes = mine.filter(
      (c) =>
        c.start >= dispatch &&
        c.end <= started &&
        (subcommandOf(c) === 'worktree add' || ['reset', 'checkout', 'clean'].includes(subcommandOf(c))),
    );
    const evaluated = t('evaluation.completed');
    const mergeRef = mine.find((c) => c.start >= evaluated && subcommandOf(c) === 'update-ref');
    const mergeHold = mergeRef ? holdAt(probe.holds, mergeRef.start) : undefined;
    const passed = t('task.passed');
    const after = mine.filter((c) => c.start >= passed);
    const gone = after.length > 0 ? Math.max(...after.map((c) => c.end)) : passed;
    const cleanupHold = after.length > 0 ? holdAt(probe.holds, after[0]!.start) : undefined;
    return {
      prepare: started - dispatch,
      prepareLockWait: prepareHold ? prepareHold.start - asked : Number.NaN,
      prepareCheckout: sum(writes.map(duration)),
      sessionStart: t('attempt.running') - started,
      session: t('attempt.succeeded') - t('attempt.running'),
      checks: evaluated - t('task.evaluating'),
      merge: passed - evaluated,
      mergeLockWait: mergeHold ? Math.max(0, mergeHold.start - evaluated) : Number.NaN,
      cleanup: Math.max(gone, cleanupHold?.end ?? gone) - passed,
      whole: Math.max(gone, cleanupHold?.end ?? gone) - dispatch,
      gitProcesses: Number.NaN,
    };
  });
}

interface GafferRun {
  wallS: number;
  steadyS: number;
  baselineS: number;
  events: number;
  spans: TaskSpans[];
  gitPerTask: number;
  /** Git processes by subcommand over the whole run, most first. */
  gitBySubcommand: [string, number][];
  lockShare: number;
  runId: string;
  pool: string;
}

async function runGaffer(dir: string): Promise<GafferRun> {
  const repo = await openRepo(dir);
  const r = repo as unknown as Record<string, unknown>;
  const pool =
    typeof r.claimWorktree === 'function'
      ? 'engine with a worktree pool (claimWorktree)'
      : typeof r.retireWorktree === 'function'
        ? 'engine with a worktree pool (retireWorktree → addWorktree)'
        : 'engine without a worktree pool (worktree add + remove per task)';
  const store = await openStore(join(dir, '.gaffer', 'gaffer.db'));
  const dispatched = new Map<string, number>();
  const logger = createLogger((record) => {
    const taskId = record.fields?.taskId;
    if (record.message === 'next step' && typeof taskId === 'string' && !dispatched.has(taskId))
      dispatched.set(taskId, nowMs());
  });
  const engine = createEngine({ store, logger });
  const probe = startGitProbe();
  const wallStart = nowMs();
  let final;
  let runId: string;
  try {
    const run = await engine.createRun({ planPath: join(dir, 'plan.yaml'), cwd: dir });
    runId = run.id;
    final = await engine.driveRun(run.id);
  } finally {
    probe.stop();
  }
  const wallEnd = nowMs();
  if (final.status !== 'completed') throw new Error(`run ${final.status}: ${final.reason}`);
  const events = await store.readEvents({ runId });
  await store.close();
  const spans = gafferSpans(events, dispatched, probe, repo.root, runId);
  const firstDispatch = Math.min(...dispatched.values());
  const lastDone = Math.max(...spans.map((s, i) => (dispatched.get(`t${i}`) ?? 0) + s.whole));
  const baseline = events.find((e) => e.type === 'run.baseline-completed');
  const runStarted = events.find((e) => e.type === 'run.started');
  const lockHeld = sum(probe.holds.map((h) => h.end - h.start));
  const gitPerTask = probe.calls.length / TASKS;
  for (const s of spans) s.gitProcesses = gitPerTask;
  const bySubcommand = new Map<string, number>();
  for (const call of probe.calls) {
    const name = subcommandOf(call);
    bySubcommand.set(name, (bySubcommand.get(name) ?? 0) + 1);
  }
  return {
    wallS: (wallEnd - wallStart) / 1000,
    steadyS: (lastDone - firstDispatch) / 1000,
    baselineS:
      baseline && runStarted ? (Date.parse(baseline.at) - Date.parse(runStarted.at)) / 1000 : Number.NaN,
    events: events.length,
    spans,
    gitPerTask,
    gitBySubcommand: [...bySubcommand].sort((a, b) => b[1] - a[1]),
    lockShare: lockHeld / (wallEnd - wallStart),
    runId,
    pool,
  };
}

// ---------------------------------------------------------------------------------------------
// The bare loop

/** A promise-chain mutex: the bare loop's repository lock. */
interface Mutex {
  tail: Promise<unknown>;
}

/** Runs `fn` once every earlier holder is done; resolves with the ms spent waiting and fn's value. */
function locked<T>(mutex: Mutex, fn: () => Promise<T>): Promise<[number, T]> {
  const asked = nowMs();
  const result = mutex.tail.then(async (): Promise<[number, T]> => [nowMs() - asked, await fn()]);
  mutex.tail = result.catch(() => undefined);
  return result;
}

/**
 * One task the way a careful script would do it: plain git and the same check, at the same
 * concurrency. Worktree registration and removal go under the mutex with the merge: plain
 * `git worktree add` and `remove` running side by side fail ("failed to read
 * .git/worktrees/<other>/commondir"), so the files are written outside it (`--no-checkout`,
 * then `reset --hard`), as parallel checkouts need.
 */
async function bareTask(root: string, i: number, mutex: Mutex): Promise<TaskSpans> {
  const worktree = join(root, '.bare', `t${i}`);
  const branch = `bare/t${i}`;
  const t0 = nowMs();
  const head = (await git(root, ['rev-parse', 'refs/heads/integration'])).trim();
  const [addWait] = await locked(mutex, () =>
    git(root, ['worktree', 'add', '--quiet', '--no-checkout', '-b', branch, worktree, head]),
  );
  const writing = nowMs();
  await git(worktree, ['reset', '--hard', '--quiet']);
  const t1 = nowMs();
  mkdirSync(join(worktree, 'out'), { recursive: true });
  writeFileSync(join(worktree, 'out', `t${i}.txt`), String(i));
  await git(worktree, ['add', '-A']);
  await git(worktree, [
    '-c',
    'user.name=b',
    '-c',
    'user.email=b@b',
    'commit',
    '--quiet',
    '--no-verify',
    '-m',
    `t${i}`,
  ]);
  const t2 = nowMs();
  await exec('npm', ['test', '--silent'], { cwd: worktree });
  const t3 = nowMs();
  const [mergeWait] = await locked(mutex, async () => {
    const target = (await git(root, ['rev-parse', 'refs/heads/integration'])).trim();
    const tree = (await git(root, ['merge-tree', '--write-tree', target, branch])).trim().split('\n')[0]!;
    const identity = ['-c', 'user.name=b', '-c', 'user.email=b@b'];
    const commit = (
      await git(root, [...identity, 'commit-tree', tree, '-p', target, '-F', '-'], `merge t${i}\n`)
    ).trim();
    await git(root, ['update-ref', 'refs/heads/integration', commit, target]);
  });
  const t4 = nowMs();
  await locked(mutex, () => git(root, ['worktree', 'remove', '--force', worktree]));
  const t5 = nowMs();
  return {
    prepare: t1 - t0,
    prepareLockWait: addWait,
    prepareCheckout: t1 - writing,
    sessionStart: Number.NaN,
    session: t2 - t1,
    checks: t3 - t2,
    merge: t4 - t3,
    mergeLockWait: mergeWait,
    cleanup: t5 - t4,
    whole: t5 - t0,
    gitProcesses: 10,
  };
}

async function runBare(root: string): Promise<{ wallS: number; spans: TaskSpans[] }> {
  await git(root, ['branch', '--force', 'integration', 'HEAD']);
  const spans: TaskSpans[] = [];
  const mutex: Mutex = { tail: Promise.resolve() };
  let next = 0;
  const started = nowMs();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < TASKS) {
        const i = next++;
        spans[i] = await bareTask(root, i, mutex);
      }
    }),
  );
  return { wallS: (nowMs() - started) / 1000, spans };
}

// ---------------------------------------------------------------------------------------------
// The store

interface CapturedStatement {
  sql: string;
  reader: boolean;
  args: unknown[];
}

/**
 * Records the statements better-sqlite3 runs while `capturing` is on, from every connection of
 * the process (the store's included): the SQL of one state transition exactly as the store sends it.
 */
function statementRecorder(): {
  capture<T>(fn: () => Promise<T>): Promise<CapturedStatement[]>;
  stop(): void;
} {
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
  probe.close();
  const originals = { run: proto.run, all: proto.all, get: proto.get } as Record<
    string,
    (...a: unknown[]) => unknown
  >;
  let sink: CapturedStatement[] | undefined;
  for (const name of ['run', 'all', 'get'] as const) {
    const original = originals[name]!;
    proto[name] = function (this: { source: string; reader: boolean }, ...args: unknown[]) {
      sink?.push({ sql: this.source, reader: this.reader, args });
      return original.apply(this, args);
    };
  }
  return {
    async capture(fn) {
      sink = [];
      try {
        await fn();
        return sink;
      } finally {
        sink = undefined;
      }
    },
    stop() {
      for (const name of ['run', 'all', 'get'] as const) proto[name] = originals[name];
    },
  };
}

/** The three transactions of an attempt's life: insert (+ event), → running (+ event), → succeeded (+ event). */
function attemptTransitions(
  runId: string,
  taskId: string,
  id: string,
  number: number,
): ((tx: StoreTx) => Promise<unknown>)[] {
  const attempt: AttemptRecord = {
    id,
    runId,
    taskId,
    number,
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
  return [
    (tx: StoreTx) =>
      tx.insertAttempt(attempt, {
        type: 'attempt.started',
        runId,
        taskId,
        attemptId: id,
        data: { number, kind: 'first', agent: 'script', worktree: '', branch: '' },
      }),
    (tx: StoreTx) =>
      tx.setAttemptStatus(
        id,
        'running',
        {},
        { type: 'attempt.running', runId, taskId, attemptId: id, data: {} },
      ),
    (tx: StoreTx) =>
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
  ];
}

/** A fresh store file holding the benchmark run's run and tasks, as the engine wrote them. */
async function storeWithRun(dir: string, name: string, runId: string) {
  const store = await openStore(join(dir, '.gaffer', name));
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
  return { store, taskIds: tasks.map((t) => t.taskId) };
}

const CAPTURED_ID = 'captured-attempt-id';
const CAPTURED_NUMBER = 987_654;

async function storeThroughput(dir: string, runId: string, n: number) {
  const recorder = statementRecorder();
  const { store, taskIds } = await storeWithRun(dir, 'bench-store.db', runId);
  // One attempt's transactions, as the store runs them, for the raw replay below.
  const captured: CapturedStatement[][] = [];
  for (const step of attemptTransitions(runId, taskIds[0]!, CAPTURED_ID, CAPTURED_NUMBER)) {
    captured.push(await recorder.capture(() => store.transaction(step)));
  }
  recorder.stop();
  const started = performance.now();
  let transitions = 0;
  for (let i = 0; transitions < n; i++) {
    for (const step of attemptTransitions(runId, taskIds[i % taskIds.length]!, `bench-${i}`, 1000 + i)) {
      await store.transaction(step);
      transitions++;
    }
  }
  const gaffer = transitions / ((performance.now() - started) / 1000);
  await store.close();

  const { store: empty } = await storeWithRun(dir, 'bench-raw.db', runId);
  await empty.close();
  const db = new Database(join(dir, '.gaffer', 'bench-raw.db'));
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const transactions = captured.map((statements) => {
    const body = statements
      .filter((s) => !/^\s*(begin|commit|rollback)\b/i.test(s.sql))
      .map((s) => ({ ...s, statement: db.prepare(s.sql) }));
    return db.transaction((k: number) => {
      for (const s of body) {
        const args = s.args.map((a) => withFreshIds(a, k));
        if (s.reader) s.statement.all(...args);
        else s.statement.run(...args);
      }
    });
  });
  const rawStarted = performance.now();
  let raw = 0;
  for (let k = 0; raw < n; k++) {
    for (const transaction of transactions) {
      transaction.immediate(k);
      raw++;
    }
  }
  const rawPerS = raw / ((performance.now() - rawStarted) / 1000);
  db.close();
  const shape = captured.map((statements) =>
    statements.map((s) => s.sql.trim().split(/\s+/).slice(0, 3).join(' ').replaceAll('"', '')).join('; '),
  );
  return { gaffer, raw: rawPerS, shape };
}

/** The captured attempt's id and number replaced by iteration `k`'s, in every bound value. */
function withFreshIds(value: unknown, k: number): unknown {
  if (Array.isArray(value)) return value.map((v) => withFreshIds(v, k));
  if (typeof value === 'string') return value.replaceAll(CAPTURED_ID, `raw-${k}`);
  if (value === CAPTURED_NUMBER) return 2_000_000 + k;
  return value;
}

// ---------------------------------------------------------------------------------------------

const dir = makeRepo();
const bareDir = `${dir}-bare`;
await exec('git', ['clone', '--quiet', '--local', dir, bareDir]);
const gaffer = await runGaffer(dir);
const bare = await runBare(bareDir);
const store = await storeThroughput(dir, gaffer.runId, 3000);
if (!values.keep) {
  rmSync(dir, { recursive: true, force: true });
  rmSync(bareDir, { recursive: true, force: true });
} else process.stderr.write(`kept ${dir} and ${bareDir}\n`);

const p = (spans: TaskSpans[], key: keyof TaskSpans, q: number) =>
  percentile(
    spans.map((s) => s[key]),
    q,
  );
const lines = [
  `## bench:overhead — ${TASKS} instant tasks on ${FILES.toLocaleString('en')} files with a real check, concurrency ${CONCURRENCY}, ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Gaffer (${gaffer.pool}) next to a bare git loop of the same steps at the same concurrency, in one run. ` +
    "The scripted agent writes one file; each task runs the repository's `npm test` (`node test/check.js`).",
  '',
  '| throughput and latency | Gaffer | bare git loop | Gaffer ÷ bare |',
  '|---|---:|---:|---:|',
  `| run wall time, s | ${gaffer.wallS.toFixed(1)} | ${bare.wallS.toFixed(1)} | ${(gaffer.wallS / bare.wallS).toFixed(2)} |`,
  `| throughput, tasks/s (whole run) | ${(TASKS / gaffer.wallS).toFixed(2)} | ${(TASKS / bare.wallS).toFixed(2)} | ${(bare.wallS / gaffer.wallS).toFixed(2)} |`,
  `| throughput, tasks/s (first dispatch → last task done: without run set-up and baseline checks) | ${(TASKS / gaffer.steadyS).toFixed(2)} | ${(TASKS / bare.wallS).toFixed(2)} | ${(bare.wallS / gaffer.steadyS).toFixed(2)} |`,
  `| per-task latency p50, ms (dispatch → worktree gone) | ${fmt(p(gaffer.spans, 'whole', 50))} | ${fmt(p(bare.spans, 'whole', 50))} | ${(p(gaffer.spans, 'whole', 50) / p(bare.spans, 'whole', 50)).toFixed(2)} |`,
  `| per-task latency p95, ms | ${fmt(p(gaffer.spans, 'whole', 95))} | ${fmt(p(bare.spans, 'whole', 95))} | ${(p(gaffer.spans, 'whole', 95) / p(bare.spans, 'whole', 95)).toFixed(2)} |`,
  '',
  `Gaffer: ${gaffer.events} events; baseline checks at run start ${gaffer.baselineS.toFixed(1)} s; ` +
    `${gaffer.gitPerTask.toFixed(1)} git processes per task (whole run ÷ tasks); ` +
    `repository lock held ${(gaffer.lockShare * 100).toFixed(0)}% of the wall time.`,
  '',
  `Gaffer's git processes per task by subcommand (whole run ÷ tasks, so run set-up is spread over the tasks): ` +
    gaffer.gitBySubcommand.map(([name, n]) => `\`${name}\` ${(n / TASKS).toFixed(1)}`).join(', ') +
    '.',
  '',
  '| phase (per task) | Gaffer p50 ms | Gaffer p95 ms | bare step | bare p50 ms | bare p95 ms |',
  '|---|---:|---:|---|---:|---:|',
  ...PHASES.map(
    ([key, label, bareLabel]) =>
      `| ${label} | ${fmt(p(gaffer.spans, key, 50))} | ${fmt(p(gaffer.spans, key, 95))} | ${bareLabel} | ${fmt(p(bare.spans, key, 50))} | ${fmt(p(bare.spans, key, 95))} |`,
  ),
  '',
  '| store throughput (same disk, same run) | transitions per second |',
  '|---|---:|',
  `| Gaffer's store: one state transition per transaction (row write + event) | ${store.gaffer.toFixed(0)} |`,
  `| raw better-sqlite3: the same statements in the same transactions (BEGIN IMMEDIATE, prepared once) | ${store.raw.toFixed(0)} |`,
  `| **ratio Gaffer ÷ raw** | **${(store.gaffer / store.raw).toFixed(3)}** |`,
  '',
  `Statements per transaction, as captured from the store: ${store.shape.map((s) => `(${s})`).join(', ')}.`,
];
console.log(lines.join('\n'));
