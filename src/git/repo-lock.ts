import { AsyncLocalStorage } from 'node:async_hooks';

/** Tail of the queue per key: every holder chains onto the previous one. */
const tails = new Map<string, Promise<void>>();
/** Keys held by the current async context, so a locked operation may call another one. */
const held = new AsyncLocalStorage<ReadonlySet<string>>();

/**
 * Runs `fn` while holding the in-process lock `key` (first come, first served). Re-entrant:
 * code already running under the lock (including what it awaits) runs straight away, so a
 * caller may wrap several locked Repo operations in one `withLock` without deadlocking.
 */
export async function withKeyedLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
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
