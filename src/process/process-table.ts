import { readFileSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/** One live process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** See {@link startMarkOf}. */
  startMark: string;
  /** Its working directory; null when it cannot be read (another user's process). */
  cwd: string | null;
  /** Its argv joined by spaces, for logs. */
  command: string;
}

let bootId: string | undefined;

/** The kernel's id of this boot: a start tick alone repeats after a reboot. */
function currentBootId(): string {
  bootId ??= (() => {
    try {
      return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      return 'unknown-boot';
    }
  })();
  return bootId;
}

interface StatFields {
  state: string;
  ppid: number;
  pgid: number;
  startTicks: string;
}

/** Fields of /proc/<pid>/stat; the command name in parentheses may itself hold spaces and parentheses. */
function parseStat(stat: string): StatFields | undefined {
  const rest = stat
    .slice(stat.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
  // After the name: state (field 3), ppid (4), pgrp (5), …, starttime (22).
  const [state, ppid, pgid] = rest;
  const startTicks = rest[19];
  if (state === undefined || ppid === undefined || pgid === undefined || startTicks === undefined)
    return undefined;
  return { state, ppid: Number(ppid), pgid: Number(pgid), startTicks };
}

/**
 * What tells this process from a later one that got the same pid: the boot id and the start tick
 * of /proc/<pid>/stat. Read synchronously so a caller can take it right after spawning, before the
 * child could have been reaped. Undefined when the process is gone or /proc is unavailable.
 */
export function startMarkOf(pid: number): string | undefined {
  try {
    const fields = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return fields && fields.state !== 'Z' ? `${currentBootId()}:${fields.startTicks}` : undefined;
  } catch {
    return undefined;
  }
}

async function readProcess(pid: number): Promise<ProcessInfo | undefined> {
  let fields: StatFields | undefined;
  try {
    fields = parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone meanwhile
  }
  // A zombie holds no files and runs no code: it is as good as gone.
  if (fields === undefined || fields.state === 'Z' || fields.state === 'X') return undefined;
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null);
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return {
    pid,
    ppid: fields.ppid,
    pgid: fields.pgid,
    startMark: `${currentBootId()}:${fields.startTicks}`,
    cwd,
    command: cmdline.split('\0').filter(Boolean).join(' '),
  };
}

/**
 * Every live process of this host, read from /proc. Undefined where there is no /proc (macOS), so
 * callers can say they could not look instead of claiming nothing runs.
 */
export async function listProcesses(): Promise<ProcessInfo[] | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  const found = await Promise.all(
    entries.filter((entry) => /^\d+$/.test(entry)).map((entry) => readProcess(Number(entry))),
  );
  return found.filter((p): p is ProcessInfo => p !== undefined);
}

/** Whether `cwd` is `dir` or lies below it. */
export function isInside(cwd: string | null, dir: string): boolean {
  if (cwd === null) return false;
  const root = path.resolve(dir);
  return cwd === root || cwd.startsWith(root + path.sep);
}

/** This process and its ancestors: never ours to end, even when one of them sits in a worktree. */
export function selfAndAncestors(processes: readonly ProcessInfo[]): Set<number> {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const mine = new Set<number>();
  for (let pid: number | undefined = process.pid; pid !== undefined && pid > 0 && !mine.has(pid);) {
    mine.add(pid);
    pid = byPid.get(pid)?.ppid;
  }
  return mine;
}
