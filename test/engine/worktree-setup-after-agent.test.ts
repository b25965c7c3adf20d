import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../../src/domain/index.js';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/**
 * A stand-in for `npm ci`: logs where it ran and on which lock file (in the package cache, the
 * one place outside the worktree it may write), fails on a lock file naming a broken version,
 * and otherwise "installs" the lock file as installed.txt.
 */
const SETUP = [
  'echo "$(basename "$PWD") $(cat deps.lock)" >> "$npm_config_cache/setup.log"',
  "if grep -q broken deps.lock; then echo 'npm ERR! no matching version for dep@broken' >&2; exit 3; fi",
  'cp deps.lock installed.txt',
].join('; ');

/** The check: what is installed is what the task's lock file names. */
const CHECK = `const fs = require('node:fs');
const installed = fs.readFileSync('installed.txt', 'utf8');
const locked = fs.readFileSync('deps.lock', 'utf8');
if (installed !== locked) { console.error('FAIL: installed ' + installed + ' but deps.lock has ' + locked); process.exit(1); }`;

const node = (script: string) => `{ argv: [node, -e, ${JSON.stringify(script)}] }`;

function repoWith(tasks: string, { check = CHECK, extra = '' } = {}): string {
  return makeRepo({
    'deps.lock': 'v1',
    '.gitignore': 'installed.txt\n',
    'plan.yaml': `agent: command
concurrency: 1
max_rework: 1
${extra}verifiers:
  commands: { test: [node, -e, ${JSON.stringify(check)}] }
worktree:
  setup: ${JSON.stringify(SETUP)}
  setup_when_changed: [deps.lock]
  keep: [installed.txt]
tasks:
${tasks}`,
  });
}

async function drive(repo: string) {
  store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  const engine = createEngine({ store, controlPollMs: 50 });
  const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
  return outcome(repo, engine, run.id, await engine.driveRun(run.id));
}

async function outcome<T>(repo: string, engine: ReturnType<typeof createEngine>, runId: string, final: T) {
  const events: StoredEvent[] = [];
  for await (const event of engine.tailEvents(runId, { follow: false })) events.push(event);
  const log = readFileSync(join(repo, '.gaffer', 'cache', 'npm', 'setup.log'), 'utf8')
    .trim()
    .split('\n');
  // The first line is the baseline's checkout of the base commit; the health checkout after each
  // merge has the same name (the run's), the task worktrees theirs.
  const [baselineLog = '', ...rest] = log;
  const checkout = baselineLog.split(' ')[0];
  const health = (line: string) => line.split(' ')[0] === checkout;
  const healthLog = rest.filter(health).map((line) => line.split(' ')[1]);
  return {
    final,
    view: await engine.runView(runId),
    events,
    tasksLog: rest.filter((l) => !health(l)),
    baselineLog,
    healthLog,
  };
}

const setupEvents = (events: readonly StoredEvent[]) =>
  events.flatMap((e) =>
    e.type === 'task.setup-completed' ? [{ task: e.taskId, passed: e.data.result.passed }] : [],
  );

describe('worktree setup after the agent changed what it depends on', () => {
  it('runs the setup again before the checks when the agent changed a setup_when_changed file, and never without a change', async () => {
    const repo = repoWith(`  - id: plain
    title: Changes no dependency
    agent_config: ${node("require('node:fs').writeFileSync('plain.txt', '1')")}
  - id: bump
    title: Moves to v2
    depends_on: [plain]
    agent_config: ${node("require('node:fs').writeFileSync('deps.lock', 'v2')")}
`);
    const { final, view, tasksLog, baselineLog, healthLog } = await drive(repo);
    expect(final.status).toBe('completed');
    expect(baselineLog).toMatch(/ v1$/);
    // plain: once before its agent, not again at its checks. bump took plain's worktree from the
    // pool (its install kept, so nothing before the agent) and ran the setup on its own lock file.
    expect(tasksLog).toEqual(['plain v1', 'bump v2']);
    // The health checkout: set up when made (plain's merge), again only for bump's new lock file.
    expect(healthLog).toEqual(['v1', 'v2']);
    const evaluations = (task: string) =>
      view.attempts.filter((a) => a.taskId === task).map((a) => a.evaluation);
    expect(evaluations('plain').map((e) => e?.results.map((r) => [r.name, r.passed]))).toEqual([
      [['test', true]],
    ]);
    // One attempt: its check saw v2 installed.
    expect(evaluations('bump').map((e) => e?.results.map((r) => [r.name, r.passed]))).toEqual([
      [
        ['setup', true],
        ['test', true],
      ],
    ]);
  });

  it("fails the attempt, not the task, when the setup fails on the agent's change; the rework fixes it", async () => {
    const repo = repoWith(`  - id: bump
    title: Moves to a version that does not exist, then to v2
    agent_config: ${node("require('node:fs').writeFileSync('deps.lock', process.env.GAFFER_ATTEMPT === '1' ? 'broken' : 'v2')")}
`);
    const { final, view, events, tasksLog } = await drive(repo);
    expect(final.status).toBe('completed');
    expect(view.tasks.find((t) => t.taskId === 'bump')?.status).not.toBe('blocked');
    const [first, second] = view.attempts.map((a) => a.evaluation);
    expect(view.attempts).toHaveLength(2);
    // The first attempt's evaluation is red on the setup alone: no check runs on a failed install.
    expect(first).toMatchObject({ passed: false, confidence: 'red' });
    expect(first?.results).toEqual([
      expect.objectContaining({
        name: 'setup',
        passed: false,
        exitCode: 3,
        output: expect.stringContaining('npm ERR! no matching version for dep@broken') as string,
      }),
    ]);
    expect(second?.results.map((r) => [r.name, r.passed])).toEqual([
      ['setup', true],
      ['test', true],
    ]);
    // Before the rework's agent the setup did not run on the same broken lock file (it would have
    // blocked the task); only the one before the first agent is a task.setup-completed.
    expect(tasksLog).toEqual(['bump v1', 'bump broken', 'bump v2']);
    expect(setupEvents(events)).toEqual([{ task: 'bump', passed: true }]);
  });

  it('runs the setup again when its evaluation is resumed, and records one evaluation with it', async () => {
    // The check holds on the task's v2 (not on the base) until told, so the run can be paused in it.
    const scratch = mkdtempSync(join(tmpdir(), 'gaffer-setup-resume-'));
    const mark = join(scratch, 'started');
    const hold = join(scratch, 'hold');
    const holding = `{
  const fs = require('node:fs');
  if (fs.readFileSync('deps.lock', 'utf8') === 'v2' && !fs.existsSync(${JSON.stringify(mark)})) {
    fs.writeFileSync(${JSON.stringify(mark)}, '');
    while (fs.existsSync(${JSON.stringify(hold)})) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}
${CHECK}`;
    const repo = repoWith(
      `  - id: bump
    title: Moves to v2
    agent_config: ${node("require('node:fs').writeFileSync('deps.lock', 'v2')")}
`,
      { check: holding, extra: `sandbox: { writable: [${JSON.stringify(scratch)}] }\n` },
    );
    writeFileSync(hold, '');
    store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    const engine = createEngine({ store, controlPollMs: 25 });
    const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
    const driving = engine.driveRun(run.id);
    await waitFor(() => existsSync(mark), 'the check after the setup');
    await engine.requestPause(run.id, 'paused in the checks');
    expect((await driving).status).toBe('paused');
    expect(await store.listEvaluations(run.id, 'bump')).toEqual([]);

    rmSync(hold);
    const { final, view, tasksLog } = await outcome(repo, engine, run.id, await engine.driveRun(run.id));
    expect(final.status).toBe('completed');
    // The interrupted evaluation recorded nothing; the resumed one ran the setup again with its checks.
    expect(tasksLog).toEqual(['bump v1', 'bump v2', 'bump v2']);
    expect(view.attempts.map((a) => a.evaluation?.results.map((r) => [r.name, r.passed]))).toEqual([
      [
        ['setup', true],
        ['test', true],
      ],
    ]);
    expect(await store.listEvaluations(run.id, 'bump')).toHaveLength(1);
  });
});
