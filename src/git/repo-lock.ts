import { AsyncLocalStorage } from 'node:async_hooks';
import { join } from 'node:path';
import { acquireLockFile } from './lock-file.js';
import type { LockFileOptions } from './lock-file.js';

/** The lock file in a repository's git common dir; git itself never uses this name. */
export const REPO_LOCK_FILE = 'gaffer-repo.lock';

/** Tail of the queue per key: every holder chains onto the previous one. */
const tails = new Map<string, Promise<void>>();
/** Keys held by the current async context, so a locked operation may call another one. */
const held = new AsyncLocalStorage<ReadonlySet<string>>();

/**
 * Runs `fn` while holding the in-process lock `key` (first come, first served). Re-entrant:
 * code already running under the lock (including what it awaits) runs straight away, so a
 * caller may wrap several locked operations in one call without deadlocking.
 */
export async function withProcessLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const mine = held.getStore();
  if (mine?.has(key)) return fn();
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => done);
  tails.set(key, tail);
  await previous;
  try {
    return await held.run(new Set([...(mine ?? []), key]), fn);
  } finally {
    release();
    // Forget the key once nobody queued behind us, so the map does not grow per repository forever.
    if (tails.get(key) === tail) tails.delete(key);
  }
}

/**
 * Runs `fn` while holding the lock of the repository whose git common dir is `commonDir`,
 * against every process on this host: two `gaffer run` in one repository must not add
 * worktrees, move branches or merge at the same time. In-process callers queue first, so the
 * lock file (`<commonDir>/gaffer-repo.lock`) is taken once per process at a time; re-entrant
 * like {@link withProcessLock}. A lock left by a dead process is taken over.
 */
export async function withRepoLock<T>(
  commonDir: string,
  fn: () => Promise<T>,
  options: LockFileOptions = {},
): Promise<T> {
  if (held.getStore()?.has(commonDir)) return fn();
  return withProcessLock(commonDir, async () => {
    const lock = await acquireLockFile(join(commonDir, REPO_LOCK_FILE), options);
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  });
}

/**
 * The name src/git/repo.ts calls, always with the git common dir as the key: the same lock as
 * {@link withRepoLock}, which new code should call.
 */
export const withKeyedLock = <T>(commonDir: string, fn: () => Promise<T>): Promise<T> =>
  withRepoLock(commonDir, fn);
