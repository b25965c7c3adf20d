import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { userError } from '../domain/index.js';

/** Who holds a spec's lock: written once, with O_EXCL, by the process that took it. */
export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  /**
   * Which process `pid` was when the lock was taken (boot id and start time, where the system
   * tells them): a live pid that is now another process reused the holder's number.
   */
  processStart?: string;
}

/**
 * A lock from another host older than this is stale: its process cannot be checked from here, and
 * a host that went away leaves its lock behind. A live process of this host is never judged by age.
 */
export const LOCK_MAX_AGE_MS = 2 * 60 * 60 * 1000;

/**
 * How long a lock file may be empty or unreadable: the taker writes it in one write right after
 * creating it, so past a few seconds it is damaged (a crash between the two, a full disk), not
 * being written.
 */
export const LOCK_GRACE_MS = 10_000;

/** What the holder check needs, injectable so the verdict stays pure. */
export interface LockWorld {
  host: string;
  now: number;
  maxAgeMs: number;
  /** How long an unreadable lock file is taken to be one being written; {@link LOCK_GRACE_MS} if unset. */
  graceMs?: number;
  isAlive: (pid: number) => boolean;
  /** Which process a pid of this host is now (see {@link LockInfo.processStart}); undefined when unknown. */
  identify?: (pid: number) => string | undefined;
}

/** `held` by a live process, or `stale` with the reason a person can check. */
export type LockVerdict = { type: 'held' } | { type: 'stale'; reason: string };

/**
 * Whether a lock still guards its spec. On this host the holder's process decides: alive (and the
 * same process, when that can be told) is held however long it has run; gone is stale. A lock of
 * another host is trusted until it is older than `maxAgeMs`. A lock file that cannot be read is
 * held only for `graceMs` after it was written (`writtenAt`): O_EXCL creates it empty an instant
 * before it is written.
 */
export function lockVerdict(info: LockInfo | undefined, world: LockWorld, writtenAt?: number): LockVerdict {
  if (info === undefined) return unreadableVerdict(world, writtenAt);
  if (info.host === world.host) return localVerdict(info, world);
  const age = world.now - Date.parse(info.startedAt);
  if (!Number.isFinite(age) || age > world.maxAgeMs)
    return {
      type: 'stale',
      reason: `it was taken on another host at ${info.startedAt}, longer ago than ${Math.round(world.maxAgeMs / 60_000)} minutes`,
    };
  return { type: 'held' };
}

function unreadableVerdict(world: LockWorld, writtenAt: number | undefined): LockVerdict {
  const grace = world.graceMs ?? LOCK_GRACE_MS;
  if (writtenAt === undefined || world.now - writtenAt <= grace) return { type: 'held' };
  return {
    type: 'stale',
    reason: `the lock file is empty or damaged, and was written ${Math.round((world.now - writtenAt) / 1000)}s ago (a lock is written at once)`,
  };
}

function localVerdict(info: LockInfo, world: LockWorld): LockVerdict {
  if (!world.isAlive(info.pid))
    return { type: 'stale', reason: `its process ${info.pid} on ${info.host} is gone` };
  const now = info.processStart === undefined ? undefined : world.identify?.(info.pid);
  if (now !== undefined && now !== info.processStart)
    return {
      type: 'stale',
      reason: `its process ${info.pid} on ${info.host} is gone (that pid is another process now)`,
    };
  return { type: 'held' };
}

/** Whether a process of this host is alive (a process we may not signal still exists). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Which process `pid` is (Linux: the boot id and the start time in clock ticks from
 * /proc/<pid>/stat); undefined where the system does not say, so the check is skipped there.
 */
export function processStart(pid: number): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return start === undefined || !/^\d+$/.test(start) ? undefined : `${boot}:${start}`;
  } catch {
    return undefined;
  }
}

/** This host's lock world now, with `overrides` (tests inject hosts, clocks and process checks). */
export function lockWorld(overrides: Partial<LockWorld> = {}): LockWorld {
  return {
    host: hostname(),
    now: Date.now(),
    maxAgeMs: LOCK_MAX_AGE_MS,
    graceMs: LOCK_GRACE_MS,
    isAlive: processAlive,
    identify: processStart,
    ...overrides,
  };
}

/** The lock's holder, or undefined when the file is missing or is not a lock. */
export function readLock(path: string): LockInfo | undefined {
  try {
    return parseLock(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const raw = JSON.parse(text) as Partial<LockInfo>;
    return typeof raw.pid === 'number' && typeof raw.host === 'string' && typeof raw.startedAt === 'string'
      ? {
          pid: raw.pid,
          host: raw.host,
          startedAt: raw.startedAt,
          ...(typeof raw.processStart === 'string' ? { processStart: raw.processStart } : {}),
        }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One lock file as a taker saw it, read through one descriptor so that its content and its inode
 * belong together: a takeover must remove this very file, never one written since.
 */
export interface LockSnapshot {
  ino: number;
  mtimeMs: number;
  text: string;
  holder: LockInfo | undefined;
}

/** The lock file as it is now, or undefined when there is none. */
export function inspectLock(path: string): LockSnapshot | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    const text = readFileSync(fd, 'utf8');
    return { ino: stat.ino, mtimeMs: stat.mtimeMs, text, holder: parseLock(text) };
  } finally {
    closeSync(fd);
  }
}

const sameFile = (a: LockSnapshot, b: LockSnapshot) =>
  a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.text === b.text;

/** The file that serialises takeovers of the lock at `path`: `lock.takeover` beside `lock`. */
export const takeoverPath = (path: string) => `${path}.takeover`;

/**
 * Takes over the stale lock `seen`, and only it. Takeovers are serialised by a file of their own
 * ({@link beginTakeover}), so no two of them move lock files at once; under it the lock is read
 * again, and one that is not the file judged stale (taken over, released, replaced since) is left
 * alone. Removing the stale file and creating a new one would let a plain run's lock made in
 * between be removed, so the file is renamed to a name of this taker's own ({@link moveAside}) and
 * what was renamed is compared with what was judged ({@link settleMoved}). Returns whether `info`
 * now holds the lock.
 */
export function takeOverLock(
  path: string,
  seen: LockSnapshot,
  info: LockInfo,
  world: Pick<LockWorld, 'now' | 'graceMs'> = lockWorld(),
): boolean {
  const end = beginTakeover(path, info, world);
  if (end === undefined) return false;
  try {
    const now = inspectLock(path);
    if (now === undefined || !sameFile(now, seen)) return false;
    const aside = moveAside(path, info);
    return aside !== undefined && settleMoved(path, aside, seen, info);
  } finally {
    end();
  }
}

/**
 * Step 1 of a takeover: its own file, created with O_EXCL, so one takeover of a lock runs at a
 * time. Returns what ends it, or undefined while another is under way. A takeover takes an
 * instant: a takeover file older than the grace was left by a taker that died, and is removed
 * (only that very file) before trying once more.
 */
export function beginTakeover(
  path: string,
  info: LockInfo,
  world: Pick<LockWorld, 'now' | 'graceMs'>,
): (() => void) | undefined {
  const file = takeoverPath(path);
  for (let tries = 0; tries < 2; tries += 1) {
    if (tryCreate(file, info)) return () => releaseIfOurs(file, info);
    const seen = inspectLock(file);
    if (seen === undefined) continue; // ended between the two: try again
    if (world.now - seen.mtimeMs <= (world.graceMs ?? LOCK_GRACE_MS)) return undefined;
    removeIfSame(file, seen, info);
  }
  return undefined;
}

/** Step 2: the lock renamed to a name of this taker's own; undefined when there is none to move. */
export function moveAside(path: string, info: LockInfo): string | undefined {
  const aside = `${path}.stale-${info.pid}-${randomBytes(6).toString('hex')}`;
  try {
    renameSync(path, aside);
    return aside;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Step 3: what was moved aside, compared with what was judged. The same: the new lock is created
 * with O_EXCL, and the stale file dropped after it (so its inode cannot be reused by the new one).
 * Another (a lock made between the judging and the move): it is linked back — never over a lock
 * made meanwhile. If one was, the moved lock stays where it is: a lock not verified as the stale
 * one is never deleted. Returns whether `info` now holds the lock.
 */
export function settleMoved(path: string, aside: string, seen: LockSnapshot, info: LockInfo): boolean {
  const moved = inspectLock(aside);
  if (moved === undefined) return false; // not there to compare: nothing was verified
  if (!sameFile(moved, seen)) {
    if (putBack(aside, path)) rmSync(aside, { force: true });
    return false;
  }
  const taken = tryCreate(path, info);
  rmSync(aside, { force: true });
  return taken;
}

/** Removes the file at `path` only if it is still `seen`; another is put back (or kept aside). */
function removeIfSame(path: string, seen: LockSnapshot, info: LockInfo): void {
  const aside = moveAside(path, info);
  if (aside === undefined) return;
  const moved = inspectLock(aside);
  if (moved !== undefined && !sameFile(moved, seen) && !putBack(aside, path)) return;
  rmSync(aside, { force: true });
}

/** Links a file moved aside by mistake back; false when a file was made in its place meanwhile. */
function putBack(aside: string, path: string): boolean {
  try {
    linkSync(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

export interface AcquireOptions {
  specId: string;
  /** Take a stale lock (never a live one). */
  force?: boolean;
  world?: Partial<LockWorld>;
  pid?: number;
}

/** A lock this process holds; `release` removes it only if it is still ours. */
export interface HeldLock {
  info: LockInfo;
  release(): void;
}

/**
 * Takes the spec's exclusive lock: the file is created with O_EXCL, so of two processes exactly
 * one wins. A live holder is refused with who it is; a stale one is reported and taken only with
 * `force` (see {@link takeOverLock}). Only commands that write the spec need it.
 */
export function acquireSpecLock(path: string, options: AcquireOptions): HeldLock {
  const world = lockWorld(options.world);
  const pid = options.pid ?? process.pid;
  const start = world.identify?.(pid);
  const info: LockInfo = {
    pid,
    host: world.host,
    startedAt: new Date(world.now).toISOString(),
    ...(start === undefined ? {} : { processStart: start }),
  };
  const held = (): HeldLock => ({ info, release: () => releaseIfOurs(path, info) });
  for (let tries = 0; tries < 3; tries += 1) {
    if (tryCreate(path, info)) return held();
    const seen = inspectLock(path);
    if (seen === undefined) continue; // released between the two: try again
    const holder = seen.holder;
    const verdict = lockVerdict(holder, world, seen.mtimeMs);
    const who = holder
      ? `process ${holder.pid} on ${holder.host} since ${holder.startedAt}`
      : `a lock file that cannot be read (being written, or damaged: ${path})`;
    if (verdict.type === 'held')
      throw userError(
        'GAFFER_BAD_INPUT',
        `spec ${options.specId} is locked by ${who}`,
        'wait for it to finish; `gaffer spec status` works meanwhile',
        { spec: options.specId, lock: holder ?? null },
      );
    if (!options.force)
      throw userError(
        'GAFFER_BAD_INPUT',
        `spec ${options.specId} has a stale lock (${who}): ${verdict.reason}`,
        `take it over with --force once you are sure nothing writes the spec (lock file: ${path})`,
        { spec: options.specId, lock: holder ?? null, stale: true },
      );
    if (takeOverLock(path, seen, info, world)) return held();
  }
  throw userError(
    'GAFFER_BAD_INPUT',
    `spec ${options.specId}: another process took the lock first`,
    'try again',
  );
}

function tryCreate(path: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(info) + '\n');
  } finally {
    closeSync(fd);
  }
  return true;
}

function releaseIfOurs(path: string, info: LockInfo): void {
  const now = readLock(path);
  if (now && now.pid === info.pid && now.host === info.host && now.startedAt === info.startedAt)
    rmSync(path, { force: true });
}
