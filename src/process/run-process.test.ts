import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blockedInWrite, canSeeBlockedWrites } from '../../test/support/blocked-in-write.js';
import { waitFor } from '../../test/support/wait-for.js';
import { createOutputTail, runProcess } from './run-process.js';

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
    // The outcome waits for the killed to be gone: the caller finds nothing running.
    expect(running(daemonPid(outcome.output))).toBe(false);
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
    expect(running(daemonPid(outcome.output))).toBe(false);
  });

  it('ends at the timeout a daemon that left the group and holds the pipe, and returns', async () => {
    const outcome = await runProcess([process.execPath, '-e', check('hang', true)], {
      cwd,
      env,
      timeoutMs: 3000,
      killGraceMs: 200,
    });
    expect(outcome.timedOut).toBe(true);
    // Out of the group but still below the check when the timeout struck: part of the tree.
    expect(running(daemonPid(outcome.output))).toBe(false);
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

/**
 * A child that writes `chunks` blocks of 64 KiB to stdout (block i is letter i mod 26), noting in
 * `progress` how many it has started and in `done` that it got through them all.
 */
const writer = (chunks: number) => `
const fs = require('node:fs');
for (let i = 0; i < ${chunks}; i++) {
  fs.writeFileSync('progress', String(i));
  fs.writeSync(1, Buffer.alloc(65536, 97 + (i % 26)));
}
fs.writeFileSync('done', '');
`;
const written = (chunks: number) =>
  Array.from({ length: chunks }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(65536)).join('');

describe('runProcess backpressure', () => {
  it.skipIf(!canSeeBlockedWrites)(
    'delivers nothing more while onOutput is pending, and the child blocks on its full pipe',
    async () => {
      const CHUNKS = 128; // 8 MiB: far more than the pipe and the stream buffers hold together
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let pending = true;
      let pid = 0;
      const texts: string[] = [];
      let callsWhilePending = 0;
      const running = runProcess([process.execPath, '-e', writer(CHUNKS)], {
        cwd,
        env,
        onSpawn: (spawned) => (pid = spawned),
        onOutput: (stream, text) => {
          expect(stream).toBe('stdout');
          texts.push(text);
          if (texts.length === 1) return held;
          if (pending) callsWhilePending += 1;
          return undefined;
        },
      });
      const progress = () => readFileSync(path.join(cwd, 'progress'), 'utf8');
      const done = () => existsSync(path.join(cwd, 'done'));
      // Stuck in write(2) at the same block on two polls in a row, or (were nothing paused) done.
      let last: string | undefined;
      await waitFor(() => {
        if (done()) return true;
        if (texts.length === 0 || !blockedInWrite(pid)) return false;
        const now = progress();
        const stalled = now === last;
        last = now;
        return stalled;
      }, 'the child to block on its full pipe');
      expect(done()).toBe(false);
      expect(Number(progress())).toBeLessThan(CHUNKS - 1);
      expect(callsWhilePending).toBe(0);
      expect(texts).toHaveLength(1);
      pending = false;
      release();
      const outcome = await running;
      expect(outcome.exitCode).toBe(0);
      expect(texts.join('')).toBe(written(CHUNKS));
      expect(outcome.output).toBe(written(CHUNKS).slice(-64_000));
    },
  );

  it('waits for every chunk read to be delivered before it resolves', async () => {
    const texts: string[] = [];
    const outcome = await runProcess([process.execPath, '-e', writer(8)], {
      cwd,
      env,
      onOutput: async (_stream, text) => {
        texts.push(text);
        await new Promise<void>((resolve) => setImmediate(resolve));
      },
    });
    expect(outcome.exitCode).toBe(0);
    expect(texts.join('')).toBe(written(8));
  });

  it('ends the process tree and rejects when onOutput rejects', async () => {
    const forever = 'setInterval(() => process.stdout.write("tick\\n"), 5)';
    let calls = 0;
    await expect(
      runProcess([process.execPath, '-e', forever], {
        cwd,
        env,
        killGraceMs: 200,
        onOutput: () => {
          calls += 1;
          return Promise.reject(new Error('the reader is gone'));
        },
      }),
    ).rejects.toThrow('the reader is gone');
    expect(calls).toBe(1);
  });
});

describe('createOutputTail', () => {
  it('keeps the last characters across chunks of any size', () => {
    const tail = createOutputTail(10);
    expect(tail.text()).toBe('');
    tail.append('abc');
    expect(tail.text()).toBe('abc');
    for (const chunk of ['defgh', 'ijklmnop', '', 'q']) tail.append(chunk);
    expect(tail.text()).toBe('hijklmnopq');
    tail.append('0123456789ABCDEF');
    expect(tail.text()).toBe('6789ABCDEF');
    const many = createOutputTail(1000);
    let all = '';
    for (let index = 0; index < 5000; index += 1) {
      const chunk = `${index},`;
      many.append(chunk);
      all += chunk;
    }
    expect(many.text()).toBe(all.slice(-1000));
  });
});
