import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/wait-for.js';
import { endProcesses } from './end-processes.js';
import { startMarkOf } from './process-table.js';

let root: string;
const spawned: number[] = [];
beforeEach(async () => {
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-end-')));
});
afterEach(async () => {
  for (const pid of spawned.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ended by the test, as it should be
    }
  }
  await rm(root, { recursive: true, force: true });
});

function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** A detached node process (a group of its own) running `code` in `cwd`. */
async function start(cwd: string, code: string): Promise<number> {
  await mkdir(cwd, { recursive: true });
  const child = spawn(process.execPath, ['-e', code], { cwd, detached: true, stdio: 'ignore' });
  child.unref();
  await new Promise((resolve) => child.once('spawn', resolve));
  spawned.push(child.pid!);
  return child.pid!;
}

const IDLE = 'setInterval(() => {}, 1000);';
// A leader that ignores SIGTERM and starts a child in its own group, which ignores it too.
const STUBBORN_GROUP = `
process.on('SIGTERM', () => {});
const child = require('node:child_process').spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); ${IDLE}"], { stdio: 'ignore' });
require('node:fs').writeFileSync('child.pid', String(child.pid));
${IDLE}`;

const record = (pid: number, startMark: string | null) => ({
  pid,
  pgid: pid,
  host: hostname(),
  command: 'test',
  startMark,
});

describe.skipIf(process.platform !== 'linux')('endProcesses', () => {
  it('ends a recorded group with its children and whatever works in the worktree, and nothing else', async () => {
    const worktree = path.join(root, 'worktree');
    const leader = await start(path.join(root, 'elsewhere'), STUBBORN_GROUP);
    const child = await waitFor(
      async () => Number(await readFile(path.join(root, 'elsewhere', 'child.pid'), 'utf8')) || undefined,
      'the group leader to start its child',
    );
    spawned.push(child);
    const daemon = await start(path.join(worktree, 'sub'), IDLE);
    const bystander = await start(path.join(root, 'bystander'), IDLE);

    const outcome = await endProcesses({
      groups: [
        record(leader, startMarkOf(leader) ?? null),
        // The bystander's pid with another start mark: a recycled pid, somebody else's now.
        record(bystander, 'another-boot:1'),
      ],
      dirs: [worktree],
      graceMs: 100,
    });

    expect(outcome?.ended.map((p) => p.pid).sort()).toEqual([leader, child, daemon].sort());
    expect(outcome?.left).toEqual([]);
    expect([leader, child, daemon].filter(running)).toEqual([]);
    expect(running(bystander)).toBe(true);
  });

  it('finds processes in a worktree named through a symlink', async () => {
    const pid = await start(path.join(root, 'real', 'worktree'), IDLE);
    await symlink(path.join(root, 'real'), path.join(root, 'link'));
    const outcome = await endProcesses({
      groups: [],
      dirs: [path.join(root, 'link', 'worktree')],
      graceMs: 100,
    });
    expect(outcome?.ended.map((p) => p.pid)).toEqual([pid]);
    expect(running(pid)).toBe(false);
  });

  it('leaves groups of another host alone and says so', async () => {
    const pid = await start(path.join(root, 'other'), IDLE);
    const outcome = await endProcesses({
      groups: [{ ...record(pid, startMarkOf(pid) ?? null), host: 'some-other-host' }],
      dirs: [path.join(root, 'worktree')],
      graceMs: 100,
    });
    expect(outcome?.ended).toEqual([]);
    expect(outcome?.elsewhere.map((g) => g.pid)).toEqual([pid]);
    expect(running(pid)).toBe(true);
  });
});
