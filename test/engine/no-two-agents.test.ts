import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import { GAFFER_BIN, runCli } from '../support/cli.js';
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

const planFor = (log: string) => `name: no-two-agents
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

    const gaffer = spawn(process.execPath, [GAFFER_BIN, 'run', 'plan.yaml'], {
      cwd: repo,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const gone = new Promise((resolve) => gaffer.once('exit', resolve));
    // The kill comes once the agent and its grandchild are seen writing, not after a guessed delay.
    await waitFor(() => {
      const whos = new Set(readLog(log).map((l) => l.who));
      return whos.has('old') && whos.has('old-grandchild');
    }, 'the first agent and its grandchild to write');
    gaffer.kill('SIGKILL');
    await gone;
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
