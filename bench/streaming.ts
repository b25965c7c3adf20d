/**
 * Streaming agents: a real engine run (SQLite store, worktrees, transcripts) of `--tasks`
 * command agents at that concurrency, each printing `--lines` lines, next to the physical limit
 * measured in the same run — the same child processes' output split into lines, redacted by
 * the same code and written as the same JSONL records to one plain write stream per child.
 * Each side runs in a plain `node` process of its own on the built code (`dist/`), as `gaffer`
 * does, so each peak RSS (VmHWM) is its own and neither pays for tsx or the other's modules.
 *
 *   npm run bench:streaming [-- --lines 100000 --tasks 16 --sandbox off|on|both --profile dir]
 *
 * `--profile dir` writes a CPU profile of each engine run into `dir` (node --cpu-prof); `--dist dir`
 * measures another build (an older commit's, to compare).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '100000' },
    tasks: { type: 'string', default: '16' },
    sandbox: { type: 'string', default: 'both' },
    profile: { type: 'string' },
    dist: { type: 'string' },
  },
});
const LINES = Number(values.lines);
const TASKS = Number(values.tasks);

/** What each agent runs: `LINES` lines of build-log-like output, written with backpressure. */
const AGENT_CODE = `
const n = ${LINES};
let i = 0;
function more() {
  while (i < n) {
    let chunk = '';
    for (let j = 0; j < 200 && i < n; j++, i++) chunk += 'line ' + i + ': compiling src/module-' + (i % 97) + '.ts ok (' + (i * 7 % 1000) + ' ms)\\n';
    if (!process.stdout.write(chunk)) return process.stdout.once('drain', more);
  }
}
more();
`;

interface Measured {
  wallS: number;
  /** RSS once the side's modules are loaded, before any work. */
  startRssMb: number;
  peakRssMb: number;
  hwmMb: number;
  detail?: string;
}

/**
 * The two sides, as plain JavaScript run by `node` on `dist/` (this file itself needs tsx, whose
 * loader thread would add ~35 MB to what is measured). Each samples its own RSS every 50 ms,
 * reads the kernel's high-water mark at the end and sends what it measured to its parent.
 */
const SIDES = String.raw`
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
const { side, dir, dist, tasks } = JSON.parse(process.env.BENCH_STREAMING);
const load = (module) => import(new URL(module, dist).href);

function startRssSampler() {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return () => {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return { startRssMb: start / 2 ** 20, peakRssMb: peak / 2 ** 20, hwmMb: Number(hwm ?? 0) / 1024 };
  };
}

// The engine: one whole run, as gaffer run drives it.
async function engine() {
  const { createEngine } = await load('engine/index.js');
  const { openStore } = await load('store/index.js');
  const stop = startRssSampler();
  const started = performance.now();
  const store = await openStore(join(dir, '.gaffer', 'gaffer.db'));
  const gaffer = createEngine({ store });
  const run = await gaffer.createRun({ planPath: join(dir, 'plan.yaml'), cwd: dir });
  const final = await gaffer.driveRun(run.id);
  const wallS = (performance.now() - started) / 1000;
  const events = await store.readEvents({ runId: run.id });
  await store.close();
  if (final.status !== 'completed') throw new Error('run ' + final.status + ': ' + final.reason);
  return { ...stop(), wallS, detail: events.length + ' events in the store' };
}

// The limit: the same children, each line redacted with the same secrets and written as a
// transcript record to a plain write stream, one per child, the child paused while it is full.
async function limit() {
  const { createLineSplitter } = await load('agents/line-splitter.js');
  const { redactDeep } = await load('engine/redact.js');
  const { knownSecretValues } = await load('engine/secrets.js');
  const stop = startRssSampler();
  const started = performance.now();
  const secrets = knownSecretValues(process.env);
  const out = join(dir, 'limit');
  mkdirSync(out, { recursive: true });
  await Promise.all(
    Array.from({ length: tasks }, async (_, i) => {
      const file = createWriteStream(join(out, 't' + i + '.jsonl'));
      const child = spawn(process.execPath, ['agent.js', 'prompt'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      const splitter = createLineSplitter((text) => {
        const event = { type: 'output', stream: 'stdout', text };
        const record = JSON.stringify({ at: new Date().toISOString(), event: redactDeep(event, secrets) });
        if (!file.write(record + '\n')) child.stdout.pause();
      });
      file.on('drain', () => child.stdout.resume());
      child.stdout.setEncoding('utf8').on('data', (chunk) => splitter.write(chunk));
      await once(child, 'close');
      splitter.flush();
      await new Promise((resolve) => file.end(resolve));
    }),
  );
  return { ...stop(), wallS: (performance.now() - started) / 1000 };
}

process.send(await (side === 'engine' ? engine() : limit()));
process.disconnect();
`;

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });

function makeRepo(sandbox: 'off' | 'on'): string {
  const dir = mkdtempSync(join(tmpdir(), 'gaffer-bench-streaming-'));
  writeFileSync(join(dir, 'README.md'), '# bench\n');
  writeFileSync(join(dir, 'agent.js'), AGENT_CODE);
  const tasks = Array.from(
    { length: TASKS },
    (_, i) => `  - id: t${i}\n    title: Task ${i}\n    allow_empty: true`,
  );
  const argv = JSON.stringify([process.execPath, 'agent.js', '{prompt}']);
  writeFileSync(
    join(dir, 'plan.yaml'),
    [
      'name: streaming',
      'agent: command',
      `concurrency: ${TASKS}`,
      ...(sandbox === 'off' ? ['sandbox: off'] : []),
      'agents:',
      `  command: { argv: ${argv} }`,
      'tasks:',
      ...tasks,
      '',
    ].join('\n'),
  );
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, '-c', 'user.name=b', '-c', 'user.email=b@b', 'add', '-A');
  git(dir, '-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-qm', 'init');
  return dir;
}

/** Runs one side in a fresh `node` and returns what it measured. */
async function measure(side: 'engine' | 'limit', dir: string, flags: string[] = []): Promise<Measured> {
  const dist =
    values.dist === undefined
      ? new URL('../dist/', import.meta.url).href
      : pathToFileURL(values.dist + '/').href;
  const child = spawn(process.execPath, [...flags, '--input-type=module', '-e', SIDES], {
    env: { ...process.env, BENCH_STREAMING: JSON.stringify({ side, dir, dist, tasks: TASKS }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = new Promise<Measured>((resolve) => child.once('message', (m) => resolve(m as Measured)));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the ${side} side exited with ${code}`);
  return result;
}

const modes = values.sandbox === 'both' ? (['off', 'on'] as const) : ([values.sandbox] as ['off' | 'on']);
const rows: string[] = [];
for (const mode of modes) {
  const dir = makeRepo(mode);
  const profile =
    values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(values.profile, mode)}`];
  const engine = await measure('engine', dir, profile);
  const limit = await measure('limit', dir);
  const fmt = (m: Measured) =>
    `${m.wallS.toFixed(1)} s | ${m.startRssMb.toFixed(0)} MB | ${m.peakRssMb.toFixed(0)} MB | ${m.hwmMb.toFixed(0)} MB`;
  rows.push(
    `| engine, sandbox ${mode} (${engine.detail ?? ''}) | ${fmt(engine)} |`,
    `| limit: same children, same redaction, plain write streams | ${fmt(limit)} |`,
    `| **ratio engine ÷ limit** | **${(engine.wallS / limit.wallS).toFixed(2)}×** | | **${(engine.peakRssMb / limit.peakRssMb).toFixed(2)}×** | **${(engine.hwmMb / limit.hwmMb).toFixed(2)}×** |`,
  );
}
console.log(
  [
    `## bench:streaming — ${TASKS} command agents × ${LINES.toLocaleString('en')} lines, concurrency ${TASKS}, ${new Date().toISOString().slice(0, 10)}`,
    '',
    'Wall time and peak RSS of the engine process (sampled every 50 ms; VmHWM from /proc at the end), each side in a fresh `node` on `dist/`.',
    'The limit runs its children outside the sandbox.',
    '',
    '| run | wall | RSS at start | peak RSS (sampled) | VmHWM |',
    '|---|---:|---:|---:|---:|',
    ...rows,
  ].join('\n'),
);
