import { processesInDir } from '../../process/processes-in-dir.js';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits, at most `timeoutMs`, until no process works in `dir`; returns the pids still there.
 * Codex's sandboxed commands die with codex (parent-death signal), but a few milliseconds
 * after it, and the engine must not touch the worktree while they still run.
 */
export async function waitForProcessesToLeave(dir: string, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await processesInDir(dir);
    if (left === undefined || left.length === 0 || Date.now() >= deadline) return left ?? [];
    await sleep(50);
  }
}
