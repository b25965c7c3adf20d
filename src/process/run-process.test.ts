import { readFileSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/wait-for.js';
import { runProcess } from './run-process.js';

let cwd: string;
const strays: number[] = [];
beforeEach(async () => {
  cwd = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-run-process-')));
});
afterEach(async () => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  await rm(cwd, { recursive: true, force: true });
});

/**
 * A check that starts a daemon which inherits its stdout and writes to it forever, prints the
 * daemon's pid, then exits or hangs. `escape` puts the daemon in a session of its own, out of the
 * check's process group.
 */
const check = (then: 'exit' | 'hang', escape = false) => `
const { spawn } = require('node:child_process');
const daemon = spawn(process.execPath, ['-e', 'setInterval(() => process.stdout.write("."), 20)'], {
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: ${escape},
});
process.stdout.write('daemon ' + daemon.pid + '\\n');
${then === 'exit' ? 'process.exit(3);' : 'setInterval(() => {}, 1000);'}
`;

const daemonPid = (output: string): number => {
  const pid = Number(/daemon (\d+)/.exec(output)?.[1]);
  expect(pid, `no daemon pid in ${JSON.stringify(output.slice(0, 200))}`).toBeGreaterThan(0);
  strays.push(pid);
  return pid;
};

/** Running, as opposed to gone or a zombie waiting to be reaped. */
function running(pid: number): boolean {
  if (process.platform !== 'linux') {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  try {
    return !/^\d+ \(.*\) [ZX] /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const env = { PATH: process.env.PATH ?? '' };

describe('runProcess and a daemon that keeps stdout open', () => {
  it('ends a hanging check at its timeout, kills the daemon in its group, and says it timed out', async () => {
    const outcome = await runProcess([process.execPath, '-e', check('hang')], {
      cwd,
      env,
      timeoutMs: 3000,
      killGraceMs: 200,
    });
    expect(outcome).toMatchObject({ timedOut: true, aborted: false, exitCode: null });
    // SIGKILL is sent; the kernel takes its moment to end the process (a loaded machine, longer).
    const daemon = daemonPid(outcome.output);
    await waitFor(() => !running(daemon), `daemon ${daemon} to be gone`);
  });

  it('returns once a check has exited, with its exit code, and kills the daemon it left behind', async () => {
    const outcome = await runProcess([process.execPath, '-e', check('exit')], {
      cwd,
      env,
      // Far away: the outcome must come from the exit, not from the timeout.
      timeoutMs: 50_000,
      killGraceMs: 200,
    });
    expect(outcome).toMatchObject({ timedOut: false, exitCode: 3 });
    expect(outcome.output).toMatch(/^daemon \d+\n/);
    // SIGKILL is sent; the kernel takes its moment to end the process (a loaded machine, longer).
    const daemon = daemonPid(outcome.output);
    await waitFor(() => !running(daemon), `daemon ${daemon} to be gone`);
  });

  it('still returns at the timeout when the daemon left the group and holds the pipe', async () => {
    const outcome = await runProcess([process.execPath, '-e', check('hang', true)], {
      cwd,
      env,
      timeoutMs: 3000,
      killGraceMs: 200,
    });
    expect(outcome.timedOut).toBe(true);
    // Out of the group, it is not runProcess's to find; the engine's worktree sweep ends it.
    daemonPid(outcome.output);
  });

  it('reports the pid of the process group as soon as the command runs', async () => {
    const seen: number[] = [];
    const outcome = await runProcess([process.execPath, '-e', 'console.log(process.pid)'], {
      cwd,
      env,
      onSpawn: (pid) => seen.push(pid),
    });
    expect(seen).toEqual([Number(outcome.output.trim())]);
  });
});
