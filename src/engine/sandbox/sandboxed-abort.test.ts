import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/wait-for.js';
import { processesInDir } from '../../process/processes-in-dir.js';
import { runProcess } from '../../process/run-process.js';
import { openSandbox } from './open-sandbox.js';
import type { OpenSandbox } from './open-sandbox.js';

/**
 * A command that lets go of its pipes (so their closing says nothing about it), ignores SIGTERM,
 * starts two background children that inherit that, marks itself ready and waits: only a SIGKILL
 * ends it, and inside the sandbox that comes from the kernel once bwrap's PID 1 has gone.
 */
const STUBBORN = `exec >/dev/null 2>&1 </dev/null; trap '' TERM; sleep 1000 & sleep 1000 & touch ready; wait`;

/** Alive, as opposed to gone or a zombie (which holds no files and runs no code). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

let worktree: string;
let opened: OpenSandbox;
beforeEach(async () => {
  worktree = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-sandboxed-abort-')));
  opened = await openSandbox({
    repo: { root: worktree, commonDir: undefined },
    worktree,
    env: process.env,
    off: false,
    writable: [],
    readable: [],
    network: 'none',
  });
});
afterEach(async () => {
  await opened.dispose();
  await rm(worktree, { recursive: true, force: true });
});

describe.skipIf(process.platform !== 'linux')('an aborted sandboxed command', () => {
  it('has no process left, inside the sandbox or out, once its outcome resolves', async () => {
    // Before the fix the outcome won the race against the namespace's teardown most times, not
    // every time: three rounds make a pass by luck unlikely.
    for (let round = 0; round < 3; round += 1) {
      const controller = new AbortController();
      const wrapped = opened.sandbox.wrap(['/bin/sh', '-c', STUBBORN], { PATH: process.env.PATH ?? '' });
      const outcome = runProcess(wrapped.argv, {
        cwd: worktree,
        env: wrapped.env,
        signal: controller.signal,
        killGraceMs: 200,
      });
      const ready = path.join(worktree, 'ready');
      await waitFor(() => existsSync(ready), 'the command to start its children');
      // bwrap, its PID 1, the shell and both children: all work in the worktree.
      const started = (await processesInDir(worktree)) ?? [];
      expect(started.length).toBeGreaterThanOrEqual(5);
      controller.abort();
      expect((await outcome).aborted).toBe(true);
      // Read at once, before the kernel gets another moment to finish what it started.
      expect(started.filter(running)).toEqual([]);
      expect(await processesInDir(worktree)).toEqual([]);
      await rm(ready);
    }
  });
});
