import type { LeaseRecord } from '../domain/index.js';
import type { Store, StoreTx } from '../store/index.js';

/**
 * The store as one drive of a run sees it: every write transaction first proves the drive still
 * holds the run's lease with the token it acquired, so an engine that was frozen (SIGSTOP, a
 * long pause of the machine) past its lease and then continues cannot write a thing once another
 * engine has taken over — whatever its own heartbeat has noticed yet. Reads pass through.
 */
export function fencedStore(store: Store, lease: LeaseRecord): Store {
  const transaction = <T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> =>
    store.transaction(async (tx) => {
      await tx.assertLease(lease.runId, lease.ownerId, lease.token);
      return fn(tx);
    });
  return new Proxy(store, {
    get(target, property) {
      if (property === 'transaction') return transaction;
      const value: unknown = Reflect.get(target, property, target);
      // Methods keep the real store as `this` (its private fields live there).
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
