import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const HOLDER = fileURLToPath(new URL('./repo-lock-holder.ts', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gaffer-lock-procs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the repository lock across processes', () => {
  it('lets one process at a time in, and every process gets its turns', async () => {
    const log = join(dir, 'log');
    const holders = 4;
    const turns = 40;
    await Promise.all(
      Array.from({ length: holders }, () =>
        execFileAsync(process.execPath, ['--import', 'tsx', HOLDER, dir, log, String(turns)]),
      ),
    );
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(holders * turns * 2);
    const overlaps: string[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const pid = lines[i]!.split(' ')[1];
      if (lines[i] !== `enter ${pid}` || lines[i + 1] !== `leave ${pid}`)
        overlaps.push(`${lines[i]} / ${lines[i + 1]}`);
    }
    expect(overlaps).toEqual([]);
    expect(new Set(lines.map((line) => line.split(' ')[1])).size).toBe(holders);
    expect((await readdir(dir)).sort()).toEqual(['log']);
  });
});
