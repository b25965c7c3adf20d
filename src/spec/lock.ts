import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { userError } from '../domain/index.js';

/** Who holds a spec's lock: written once, with O_EXCL, by the process that took it. */
export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

/** A lock older than this is stale even when its process seems alive (a pid reused, a hung host). */
export const LOCK_MAX_AGE_MS = 2 * 60 * 60 * 1000;

/** What the holder check needs, injectable so the verdict stays pure. */
export interface LockWorld {
  host: string;
  now: number;
  maxAgeMs: number;
  isAlive: (pid: number) => boolean;
}

/** `held` by a live process, or `stale` with the reason a person can check. */
export type LockVerdict = { type: 'held' } | { type: 'stale'; reason: string };

/**
 * Whether a lock still guards its spec. A lock from another host is trusted until it is too old.
 * A lock file that cannot be read may be one being written this instant (O_EXCL creates it empty),
 * so it is held until its modification time (`writtenAt`) is too old too.
 */
export function lockVerdict(info: LockInfo | undefined, world: LockWorld, writtenAt?: number): LockVerdict {
  if (info === undefined)
    return writtenAt !== undefined && world.now - writtenAt > world.maxAgeMs
      ? { type: 'stale', reason: 'the lock file cannot be read and is old' }
      : { type: 'held' };
  const age = world.now - Date.parse(info.startedAt);
  if (!Number.isFinite(age) || age > world.maxAgeMs)
    return {
      type: 'stale',
      reason: `it was taken at ${info.startedAt}, longer ago than ${Math.round(world.maxAgeMs / 60_000)} minutes`,
    };
  if (info.host === world.host && !world.isAlive(info.pid))
    return { type: 'stale', reason: `its process ${info.pid} on ${info.host} is gone` };
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

/** The lock's holder, or undefined when the file is missing or is not a lock. */
export function readLock(path: string): LockInfo | undefined {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    return typeof raw.pid === 'number' && typeof raw.host === 'string' && typeof raw.startedAt === 'string'
      ? { pid: raw.pid, host: raw.host, startedAt: raw.startedAt }
      : undefined;
  } catch {
    return undefined;
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
 * `force`. Only commands that write the spec need it.
 */
export function acquireSpecLock(path: string, options: AcquireOptions): HeldLock {
  const world: LockWorld = {
    host: hostname(),
    now: Date.now(),
    maxAgeMs: LOCK_MAX_AGE_MS,
    isAlive: processAlive,
    ...options.world,
  };
  const info: LockInfo = {
    pid: options.pid ?? process.pid,
    host: world.host,
    startedAt: new Date(world.now).toISOString(),
  };
  for (let tries = 0; tries < 2; tries += 1) {
    if (tryCreate(path, info)) return { info, release: () => releaseIfOurs(path, info) };
    const holder = readLock(path);
    const verdict = lockVerdict(holder, world, modifiedAt(path));
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
    rmSync(path, { force: true });
  }
  throw userError(
    'GAFFER_BAD_INPUT',
    `spec ${options.specId}: another process took the lock first`,
    'try again',
  );
}

function modifiedAt(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
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
