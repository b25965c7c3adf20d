import { setTimeout as sleep } from 'node:timers/promises';
import { processesInDir } from '../../process/processes-in-dir.js';
import { listProcesses } from '../../process/process-table.js';

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

/**
 * The `codex` processes this process started, found by parent and binary: the Codex SDK spawns
 * them itself, in our own process group and with our working directory, and tells us no pid.
 * The session reports them as `process` events (with their real pgid, which is ours) so an
 * engine taking over after a crash ends them; sharing our group, only they are ended, never the
 * group. Empty where /proc is not available.
 */
export async function codexChildren(
  executable: string,
): Promise<{ pid: number; pgid: number; command: string }[]> {
  const processes = (await listProcesses()) ?? [];
  return processes
    .filter((p) => p.ppid === process.pid && p.command.split(' ')[0] === executable)
    .map((p) => ({ pid: p.pid, pgid: p.pgid, command: executable }));
}
