import { randomBytes } from 'node:crypto';
import { link, readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { GafferError } from '../domain/index.js';

/** Who holds a lock file: written into it, so a waiter can tell a dead holder from a busy one. */
export interface LockStamp {
  pid: number;
  host: string;
  /** Random, so a holder's release and a take-over never remove somebody else's lock. */
  token: string;
  acquiredAt: string;
}

/** Options of {@link acquireLockFile}. */
export interface LockFileOptions {
  /**
   * How long a holder may go without a sign of life before a waiter gives up with an error. A
   * holder touches its lock file every `heartbeatMs` while it runs, however long its git
   * operation takes (a checkout of a large repository); one that stops is frozen (SIGSTOP, a
   * debugger) or on another host that died. Default 60 s.
   */
  stuckMs?: number;
  /** How often the holder touches the lock file. Default 5 s. */
  heartbeatMs?: number;
}

/** A held lock file; `release` removes it (only if it is still ours). */
export interface HeldLockFile {
  readonly path: string;
  release(): Promise<void>;
}

const DEFAULT_STUCK_MS = 60_000;
const DEFAULT_HEARTBEAT_MS = 5_000;
// A lock file that cannot be parsed is one being written (the fallback path below) or left by a
// crash between create and write; past this age only the latter is possible.
const HALF_WRITTEN_MS = 10_000;
const FIRST_WAIT_MS = 5;
const MAX_WAIT_MS = 100;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const errno = (error: unknown) => (error as NodeJS.ErrnoException).code;

/**
 * Takes the exclusive lock file `path`, waiting while another live process holds it. Works
 * across processes on one host (and on shared file systems that honour hard links). A lock left
 * by a process of this host that no longer exists is taken over; a holder that stops touching
 * it for `stuckMs` makes this throw a GAFFER_REPO_LOCKED error naming the holder and the file to remove.
 *
 * Not re-entrant: a process that takes the same file twice waits for itself. `withRepoLock`
 * (repo-lock.ts) adds in-process queueing and re-entrancy on top.
 */
export async function acquireLockFile(path: string, options: LockFileOptions = {}): Promise<HeldLockFile> {
  const stuckMs = options.stuckMs ?? DEFAULT_STUCK_MS;
  const mine: LockStamp = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
    acquiredAt: new Date().toISOString(),
  };
  let waitingOn: { token: string; touchedMs: number; since: number } | undefined;
  let wait = FIRST_WAIT_MS;
  for (;;) {
    if (await tryCreate(path, mine)) return holdLockFile(path, mine.token, options.heartbeatMs);
    const holder = await readStamp(path);
    if (holder === 'gone') continue;
    if (holder === 'unreadable' ? await isOld(path, HALF_WRITTEN_MS) : isDeadHere(holder)) {
      await takeOver(path, holder === 'unreadable' ? undefined : holder.token);
      continue;
    }
    const token = holder === 'unreadable' ? '' : holder.token;
    const touchedMs = (await stat(path).catch(() => undefined))?.mtimeMs ?? 0;
    // The clock restarts whenever the lock changes hands or its holder shows a sign of life.
    if (waitingOn?.token !== token || waitingOn.touchedMs !== touchedMs)
      waitingOn = { token, touchedMs, since: Date.now() };
    else if (Date.now() - waitingOn.since > stuckMs) throw stuckError(path, holder, stuckMs);
    await delay(wait);
    wait = Math.min(wait * 2, MAX_WAIT_MS);
  }
}

/**
 * Creates the lock file with its stamp in one step: the stamp goes into a private file that is
 * then hard-linked to `path` (link fails with EEXIST when the lock is taken), so a reader never
 * sees a half-written lock. File systems without hard links fall back to an exclusive create.
 */
async function tryCreate(path: string, stamp: LockStamp): Promise<boolean> {
  const text = JSON.stringify(stamp);
  const draft = `${path}.${stamp.token}`;
  await writeFile(draft, text, { mode: 0o644 });
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    if (errno(error) === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP'].includes(errno(error) ?? '')) throw error;
  } finally {
    await unlink(draft).catch(() => {});
  }
  try {
    await writeFile(path, text, { flag: 'wx', mode: 0o644 });
    return true;
  } catch (error) {
    if (errno(error) === 'EEXIST') return false;
    throw error;
  }
}

async function readStamp(path: string): Promise<LockStamp | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errno(error) === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const stamp = JSON.parse(text) as Partial<LockStamp>;
    if (typeof stamp.pid === 'number' && typeof stamp.host === 'string' && typeof stamp.token === 'string')
      return stamp as LockStamp;
  } catch {
    // Falls through: an empty or foreign file.
  }
  return 'unreadable';
}

async function isOld(path: string, ms: number): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > ms;
}

/** Only a process of this host can be known dead; one elsewhere may be alive, so it is waited for. */
function isDeadHere(stamp: LockStamp): boolean {
  if (stamp.host !== hostname() || stamp.pid === process.pid) return false;
  try {
    process.kill(stamp.pid, 0);
    return false;
  } catch (error) {
    return errno(error) === 'ESRCH';
  }
}

/**
 * Removes a dead holder's lock. Two waiters may find the same dead holder; the take-over mutex
 * makes them do it one at a time, and the re-read under it makes sure only the dead holder's
 * file is removed, never the fresh lock the other waiter took in between.
 */
async function takeOver(path: string, deadToken: string | undefined): Promise<void> {
  const mutex = `${path}.takeover`;
  try {
    await writeFile(mutex, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if (errno(error) !== 'EEXIST') throw error;
    // Held only for two file operations; still there after a while, its taker died holding it.
    if (await isOld(mutex, HALF_WRITTEN_MS)) await unlink(mutex).catch(() => {});
    else await delay(FIRST_WAIT_MS);
    return;
  }
  try {
    const current = await readStamp(path);
    const same =
      deadToken === undefined
        ? current === 'unreadable'
        : typeof current === 'object' && current.token === deadToken;
    if (same) await unlink(path).catch(() => {});
  } finally {
    await unlink(mutex).catch(() => {});
  }
}

/** The held lock: touched on a timer (which never keeps the process alive) until released. */
function holdLockFile(path: string, token: string, heartbeatMs = DEFAULT_HEARTBEAT_MS): HeldLockFile {
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, heartbeatMs);
  heartbeat.unref();
  return {
    path,
    release: async () => {
      clearInterval(heartbeat);
      await releaseLockFile(path, token);
    },
  };
}

async function releaseLockFile(path: string, token: string): Promise<void> {
  const current = await readStamp(path);
  // Not ours any more only if somebody judged us dead: removing it would free their lock.
  if (typeof current === 'object' && current.token === token) await unlink(path).catch(() => {});
}

function stuckError(path: string, holder: LockStamp | 'unreadable', stuckMs: number): GafferError {
  const who =
    holder === 'unreadable'
      ? 'an unknown process'
      : `process ${holder.pid} on ${holder.host} (since ${holder.acquiredAt})`;
  return new GafferError(
    'GAFFER_REPO_LOCKED',
    `the repository lock ${path} is held by ${who}, which has shown no sign of life for ${Math.round(stuckMs / 1000)}s`,
    {
      hint: `if that process is stopped, continue or end it; if it no longer exists, remove ${path}`,
      details: { path, holder },
    },
  );
}
