import type { Kysely } from 'kysely';
import type { LeaseRecord } from '../domain/index.js';
import type { Database } from './schema.js';
import { rowToLease } from './row-mappers.js';

// Every lease write is a single conditional statement, so two owners racing for a run are
// decided by the database, not by a read followed by a write. Times are ISO strings from the
// caller's clock; engines sharing a database are expected to keep their clocks in sync.

const expiry = (ttlMs: number) => new Date(Date.now() + ttlMs).toISOString();

/**
 * Takes the lease when free, expired, already ours, or held by `takeOverFrom` (an owner the
 * caller proved dead); a take-over from another owner bumps the token.
 */
export async function acquireLease(
  db: Kysely<Database>,
  runId: string,
  ownerId: string,
  ttlMs: number,
  takeOverFrom?: string,
): Promise<LeaseRecord | undefined> {
  // Two rounds: the holder may release between our insert and our update.
  for (let round = 0; round < 2; round++) {
    const inserted = await db
      .insertInto('leases')
      .values({ run_id: runId, owner_id: ownerId, token: 1, expires_at: expiry(ttlMs) })
      .onConflict((c) => c.column('run_id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return rowToLease(inserted);

    const nowIso = new Date().toISOString();
    const taken = await db
      .updateTable('leases')
      .set((eb) => ({
        token: eb
          .case()
          .when('owner_id', '=', ownerId)
          .then(eb.ref('token'))
          .else(eb('token', '+', 1))
          .end(),
        owner_id: ownerId,
        expires_at: expiry(ttlMs),
      }))
      .where('run_id', '=', runId)
      .where((eb) =>
        eb.or([
          eb('owner_id', '=', ownerId),
          eb('expires_at', '<', nowIso),
          ...(takeOverFrom === undefined ? [] : [eb('owner_id', '=', takeOverFrom)]),
        ]),
      )
      .returningAll()
      .executeTakeFirst();
    if (taken) return rowToLease(taken);

    const holder = await db
      .selectFrom('leases')
      .select('run_id')
      .where('run_id', '=', runId)
      .executeTakeFirst();
    if (holder) return undefined;
  }
  return undefined;
}

/** Extends the lease while owner and token still match; false once it was taken over or released. */
export async function renewLease(
  db: Kysely<Database>,
  runId: string,
  ownerId: string,
  token: number,
  ttlMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('leases')
    .set({ expires_at: expiry(ttlMs) })
    .where('run_id', '=', runId)
    .where('owner_id', '=', ownerId)
    .where('token', '=', token)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The owner of a released lease: nobody. */
const RELEASED = '';

/**
 * Gives the lease up by expiring it; a stale owner or token changes nothing. The row stays so
 * the fencing token keeps growing across owners instead of starting again at 1.
 */
export async function releaseLease(
  db: Kysely<Database>,
  runId: string,
  ownerId: string,
  token: number,
): Promise<void> {
  await db
    .updateTable('leases')
    .set({ owner_id: RELEASED, expires_at: new Date(0).toISOString() })
    .where('run_id', '=', runId)
    .where('owner_id', '=', ownerId)
    .where('token', '=', token)
    .execute();
}

export async function selectLease(db: Kysely<Database>, runId: string): Promise<LeaseRecord | undefined> {
  const row = await db.selectFrom('leases').selectAll().where('run_id', '=', runId).executeTakeFirst();
  return row && row.owner_id !== RELEASED ? rowToLease(row) : undefined;
}
