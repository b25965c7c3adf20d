import { spawn } from 'node:child_process';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { processesInDir } from './processes-in-dir.js';

// The contract's "no process left behind" check is only worth something if it can see one.
it.skipIf(process.platform !== 'linux')('sees a process working in a directory', async () => {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-probe-')));
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { cwd: dir, stdio: 'ignore' });
  try {
    await new Promise((resolve) => child.once('spawn', resolve));
    expect(await processesInDir(dir)).toContain(child.pid);
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dir, { recursive: true, force: true });
  }
  expect(await processesInDir(dir)).toEqual([]);
});
