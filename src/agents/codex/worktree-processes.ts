import { readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Pids of live processes whose working directory is `dir` or below it, read from /proc.
 * Undefined where /proc cannot be read (macOS), so callers skip the wait.
 */
async function processesIn(dir: string): Promise<number[] | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  const root = path.resolve(dir);
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = await readlink(`/proc/${entry}/cwd`);
      if (cwd === root || cwd.startsWith(root + path.sep)) found.push(Number(entry));
    } catch {
      // gone, a zombie, or not ours to inspect
    }
  }
  return found;
}

/**
 * Waits, at most `timeoutMs`, until no process works in `dir`; returns the pids still there.
 * Codex's sandboxed commands die with codex (parent-death signal), but a few milliseconds
 * after it, and the engine must not touch the worktree while they still run.
 */
export async function waitForProcessesToLeave(dir: string, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await processesIn(dir);
    if (left === undefined || left.length === 0 || Date.now() >= deadline) return left ?? [];
    await sleep(50);
  }
}
