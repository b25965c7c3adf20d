import { realpath } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessInfo } from './process-table.js';
import { isInside, listProcesses, selfAndAncestors } from './process-table.js';

/** A process group recorded when it was started (an agent's, a check's), as attempts keep it. */
export interface RecordedGroup {
  pid: number;
  pgid: number;
  host: string;
  command: string;
  /** `startMarkOf(pid)` taken at spawn; null when it could not be read. */
  startMark: string | null;
}

export interface EndProcessesOptions {
  /** Groups to end; a group counts only while its leader is the very process recorded. */
  groups: readonly RecordedGroup[];
  /** Directories (worktrees) in which every process is ended, whoever started it. */
  dirs: readonly string[];
  /** Between SIGTERM and SIGKILL. Default 2 s. */
  graceMs?: number;
  /** How long processes may take to die after SIGKILL before they are reported as left. Default 5 s. */
  killWaitMs?: number;
}

/** A process as reported back: enough to log it. */
export interface EndedProcess {
  pid: number;
  command: string;
}

export interface EndedProcesses {
  /** Processes that were signalled and are gone now. */
  ended: EndedProcess[];
  /** Processes still alive after SIGKILL (another user's, or stuck in the kernel). */
  left: EndedProcess[];
  /** Recorded groups of another host, which this one cannot reach. */
  elsewhere: RecordedGroup[];
}

const POLL_MS = 50;

/**
 * Which of the recorded processes still run: `groups`, the pgids of those that lead their own
 * group (every member goes), and `pids`, those that share somebody else's group (only they go).
 * A pid is never reused while its group exists, but once the whole group is gone the number may
 * come back as somebody else's: the start mark (or, when none was recorded, the working
 * directory) tells them apart.
 */
function stillRecorded(
  processes: readonly ProcessInfo[],
  recorded: readonly RecordedGroup[],
  dirs: readonly string[],
): { groups: Set<number>; pids: Set<number> } {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const groups = new Set<number>();
  const pids = new Set<number>();
  for (const entry of recorded) {
    const found = byPid.get(entry.pid);
    if (found === undefined || found.pgid !== entry.pgid) continue;
    const same =
      entry.startMark === null
        ? dirs.some((dir) => isInside(found.cwd, dir))
        : found.startMark === entry.startMark;
    if (!same) continue;
    if (entry.pgid === entry.pid) groups.add(entry.pgid);
    else pids.add(entry.pid);
  }
  return { groups, pids };
}

function signal(pids: Iterable<number>, sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already, or not ours to signal: the next scan tells
    }
  }
}

/**
 * Ends every process of `groups` (on this host) and every process working inside `dirs`, and
 * waits until they are gone: SIGTERM, `graceMs`, then SIGKILL. Children they fork meanwhile are
 * found by the next scan. This process and its ancestors are never touched (a user may run
 * `gaffer resume` from inside a worktree). Resolves with undefined where there is no /proc to look
 * at (macOS), so the caller can say it could not check.
 */
export async function endProcesses(options: EndProcessesOptions): Promise<EndedProcesses | undefined> {
  const here = hostname();
  const elsewhere = options.groups.filter((g) => g.host !== here);
  const local = options.groups.filter((g) => g.host === here);
  const first = await listProcesses();
  if (first === undefined) return undefined;
  // /proc shows working directories with symlinks resolved; a repository path may contain one.
  const dirs = await Promise.all(options.dirs.map((dir) => realpath(dir).catch(() => path.resolve(dir))));
  // Decided once: after SIGTERM a leader may die while its group lives on.
  const own = stillRecorded(first, local, dirs);
  const protectedPids = selfAndAncestors(first);
  const targets = (processes: readonly ProcessInfo[]) =>
    processes.filter(
      (p) =>
        !protectedPids.has(p.pid) &&
        (own.groups.has(p.pgid) || own.pids.has(p.pid) || dirs.some((dir) => isInside(p.cwd, dir))),
    );
  const seen = new Map<number, EndedProcess>();
  const note = (found: readonly ProcessInfo[]) => {
    for (const p of found) if (!seen.has(p.pid)) seen.set(p.pid, { pid: p.pid, command: p.command });
  };
  const result = (left: readonly ProcessInfo[]): EndedProcesses => {
    const leftPids = new Set(left.map((p) => p.pid));
    return {
      ended: [...seen.values()].filter((p) => !leftPids.has(p.pid)),
      left: left.map((p) => ({ pid: p.pid, command: p.command })),
      elsewhere,
    };
  };

  let current = targets(first);
  const termUntil = Date.now() + (options.graceMs ?? 2000);
  while (current.length > 0 && Date.now() < termUntil) {
    const fresh = current.filter((p) => !seen.has(p.pid));
    note(fresh);
    signal(
      fresh.map((p) => p.pid),
      'SIGTERM',
    );
    await sleep(POLL_MS);
    current = targets((await listProcesses()) ?? []);
  }
  const killUntil = Date.now() + (options.killWaitMs ?? 5000);
  while (current.length > 0) {
    note(current);
    signal(
      current.map((p) => p.pid),
      'SIGKILL',
    );
    if (Date.now() >= killUntil) return result(current);
    await sleep(POLL_MS);
    current = targets((await listProcesses()) ?? []);
  }
  return result([]);
}
