import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import { GAFFER_BIN, runCli } from '../support/cli.js';
import { processesInDir } from '../../src/process/processes-in-dir.js';
import { makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The agent: it appends `<who> <pid> <seq>` to the log every 20 ms. The first one to start (it wins
 * the `.first` marker) writes forever and starts a grandchild that leaves its process group and
 * writes forever too: the slow agent a crash leaves behind. Any later one is the new attempt: it
 * writes a few lines, one file in the worktree, and ends.
 */
const WRITER = `import { appendFileSync, closeSync, openSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
const [log, role] = [process.argv[2], process.argv[3]];
const writer = (who) => {
  let seq = 0;
  return () => appendFileSync(log, who + ' ' + process.pid + ' ' + seq++ + '\\n');
};
const forever = (who) => {
  const write = writer(who);
  write();
  setInterval(write, 20);
};
if (role === 'grandchild') forever('old-grandchild');
else {
  let first = true;
  try {
    closeSync(openSync(log + '.first', 'wx'));
  } catch {
    first = false;
  }
  if (first) {
    spawn(process.execPath, [process.argv[1], log, 'grandchild'], { detached: true, stdio: 'ignore' }).unref();
    forever('old');
  } else {
    const write = writer('new');
    for (let i = 0; i < 15; i++) {
      write();
      await sleep(20);
    }
    writeFileSync('done.txt', 'done\\n');
  }
}
`;

/**
 * Unsandboxed: inside the sandbox the agent dies with the engine (`--die-with-parent`), so only
 * `sandbox: off` leaves processes behind for the recovery to end — what these tests are about.
 */
const planFor = (log: string, sandbox = 'sandbox: off') => `name: no-two-agents
${sandbox}
agent: command
agents:
  command: { argv: [${JSON.stringify(process.execPath)}, writer.mjs, ${JSON.stringify(log)}] }
verifiers:
  commands: { test: "node -e 0" }
tasks:
  - id: slow
    title: Write slowly
`;

interface Line {
  who: string;
  pid: number;
}

const readLog = (log: string): Line[] =>
  existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [who = '', pid = ''] = line.split(' ');
          return { who, pid: Number(pid) };
        })
    : [];

function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Starts `gaffer run` and SIGKILLs it once the first agent and its grandchild are seen writing, not after a guessed delay. */
async function runAndKillWhileWriting(repo: string, log: string): Promise<void> {
  const gaffer = spawn(process.execPath, [GAFFER_BIN, 'run', 'plan.yaml'], {
    cwd: repo,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: 'ignore',
  });
  const gone = new Promise((resolve) => gaffer.once('exit', resolve));
  await waitFor(() => {
    const whos = new Set(readLog(log).map((l) => l.who));
    return whos.has('old') && whos.has('old-grandchild');
  }, 'the first agent and its grandchild to write');
  gaffer.kill('SIGKILL');
  await gone;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe.skipIf(process.platform !== 'linux')('kill -9 with a slow agent, then resume', () => {
  it('ends the old agent and its grandchild before the new attempt starts in the worktree', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'gaffer-writer-log-'));
    const log = join(logDir, 'log');
    const repo = makeRepo({ 'plan.yaml': planFor(log), 'writer.mjs': WRITER }, 'gaffer-two-agents-');
    cleanups.push(() => {
      // Whatever the outcome, no writer outlives the test.
      for (const { pid } of readLog(log)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      rmSync(logDir, { recursive: true, force: true });
    });

    await runAndKillWhileWriting(repo, log);
    const oldPids = new Set(readLog(log).map((l) => l.pid));
    expect([...oldPids].filter(running)).toHaveLength(2); // the crash left both behind

    const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    const runId = (await store.listRuns())[0]!.id;
    try {
      // It still says `running`, but nobody drives it: status views show it as interrupted.
      const view = await createEngine({ store }).runView(runId);
      expect([view.run.status, view.liveness]).toEqual(['running', 'owner-gone']);
    } finally {
      await store.close();
    }

    const status = await runCli(['status', runId], repo);
    expect(status.stdout.split('\n')[0]).toContain('interrupted (owner gone)');

    const resumed = await runCli(['resume', runId], repo);
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);

    const lines = readLog(log);
    const firstNew = lines.findIndex((l) => l.who === 'new');
    expect(firstNew, 'the new attempt wrote').toBeGreaterThan(0);
    expect(lines.slice(firstNew).filter((l) => oldPids.has(l.pid))).toEqual([]);
    expect([...oldPids].filter(running)).toEqual([]);

    const check = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    try {
      const ended = await check.readEvents({ runId, types: ['attempt.processes-ended'] });
      expect(ended.flatMap((e) => (e.type === 'attempt.processes-ended' ? e.data.pids : [])).sort()).toEqual(
        [...oldPids].sort(),
      );
      const attempts = await check.listAttempts(runId);
      expect(attempts.map((a) => `${a.number}:${a.status}`)).toEqual(['1:interrupted', '2:succeeded']);
      expect(attempts[0]?.processes?.map((p) => p.command)).toEqual([
        `${process.execPath} writer.mjs ${log}`,
      ]);
    } finally {
      await check.close();
    }
  });
});

/**
 * On the task's worktree (a.txt exists; the base has none, so the baseline passes), the first run
 * of this check records its pid, leaves the worktree (so only its recorded process group can find
 * it, not a scan of the worktree) and holds forever; any later run passes at once.
 */
const HOLDING_CHECK = `import { closeSync, existsSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
const mark = process.env.GAFFER_TEST_MARK;
let first = existsSync('a.txt');
try {
  if (first) closeSync(openSync(mark + '.first', 'wx'));
} catch {
  first = false;
}
if (first) {
  process.chdir(tmpdir());
  writeFileSync(mark, String(process.pid));
  setInterval(() => undefined, 1000);
}
`;

describe.skipIf(process.platform !== 'linux')('kill -9 while a check runs, then resume', () => {
  it('ends the recorded check process, even outside the worktree, before the checks run again', async () => {
    const markDir = mkdtempSync(join(tmpdir(), 'gaffer-check-mark-'));
    const mark = join(markDir, 'pid');
    const plan = `agent: script
sandbox: off
verifiers: { commands: { test: "node check.mjs" } }
tasks:
  - id: a
    title: Adds a file
    agent_config: { steps: [ { write: { path: a.txt, content: "A" } } ] }
`;
    const repo = makeRepo({ 'plan.yaml': plan, 'check.mjs': HOLDING_CHECK }, 'gaffer-check-kill-');
    const checkPid = () => (existsSync(mark) ? Number(readFileSync(mark, 'utf8')) : undefined);
    cleanups.push(() => {
      const pid = checkPid();
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
      rmSync(markDir, { recursive: true, force: true });
    });

    const env = { ...process.env, NO_COLOR: '1', GAFFER_TEST_MARK: mark };
    const gaffer = spawn(process.execPath, [GAFFER_BIN, 'run', 'plan.yaml'], {
      cwd: repo,
      env,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => gaffer.once('exit', resolve));
    const oldCheck = await waitFor(checkPid, 'the check to start holding');
    gaffer.kill('SIGKILL');
    await exited;
    expect(running(oldCheck)).toBe(true);

    const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    try {
      const runId = (await store.listRuns())[0]!.id;
      const resumed = await runCli(['resume', runId], repo, { GAFFER_TEST_MARK: mark });
      expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
      expect(running(oldCheck)).toBe(false);
      const [attempt] = await store.listAttempts(runId);
      expect(attempt?.processes?.map((p) => p.command)).toContain('node check.mjs');
      const ended = await store.readEvents({ runId, types: ['attempt.processes-ended'] });
      expect(ended.flatMap((e) => (e.type === 'attempt.processes-ended' ? e.data.pids : []))).toContain(
        oldCheck,
      );
      // The agent ran once; only the checks ran again.
      expect((await store.listAttempts(runId)).map((a) => a.status)).toEqual(['succeeded']);
      expect((await store.listTasks(runId)).map((t) => t.status)).toEqual(['passed']);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(process.platform !== 'linux')('kill -9 of a sandboxed run', () => {
  it('takes the agent down with the engine: nothing of it writes after the kill', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'gaffer-writer-log-'));
    const log = join(logDir, 'log');
    const plan = planFor(log, `sandbox: { writable: [${JSON.stringify(logDir)}] }`);
    const repo = makeRepo({ 'plan.yaml': plan, 'writer.mjs': WRITER }, 'gaffer-sandboxed-kill-');
    cleanups.push(() => rmSync(logDir, { recursive: true, force: true }));
    await runAndKillWhileWriting(repo, log);
    // The sandbox's PID namespace goes with its parent: no process works in the worktree any more.
    const worktrees = join(repo, '.gaffer', 'worktrees');
    await waitFor(async () => (await processesInDir(worktrees))?.length === 0, 'the sandbox to go');
    const lines = readLog(log).length;
    const resumed = await runCli(['resume', await runIdOf(repo)], repo);
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
    const after = readLog(log).slice(lines);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((l) => l.who === 'new')).toBe(true);
  });
});

async function runIdOf(repo: string): Promise<string> {
  const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  try {
    return (await store.listRuns())[0]!.id;
  } finally {
    await store.close();
  }
}
