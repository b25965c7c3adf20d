import type { LeaseRecord } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { ownerIsDead } from '../lease-keeper.js';

/**
 * The one rule for "is this run being driven": somebody holds its lease, the lease is in date,
 * and its owner is not a process on this host that has died (a `kill -9` leaves its lease
 * behind until it expires; nobody drives the run meanwhile).
 */
export function leaseIsLive(lease: LeaseRecord | undefined, now = Date.now()): lease is LeaseRecord {
  return lease !== undefined && Date.parse(lease.expiresAt) > now && !ownerIsDead(lease.ownerId);
}

/** Whether an engine is driving `runId` right now. */
export async function isDriven(store: Store, runId: string): Promise<boolean> {
  return leaseIsLive(await store.getLease(runId));
}
