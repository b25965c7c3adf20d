import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { dropSchema, skipDialect } from '../support/stores.js';
import { seedRun } from './contract-helpers.js';

const DATABASE_URL = process.env.DATABASE_URL || undefined;

// An engine frozen (SIGSTOP) inside a store transaction holds the store's write lock and a lock
// on `runs`; played here by a raw connection that never commits.
describe.skipIf(skipDialect('postgres'))('PostgreSQL with a transaction left open', () => {
  let url: string;
  let schema: string;
  let frozen: pg.Client;
  const stores: Store[] = [];

  beforeEach(async () => {
    if (!DATABASE_URL)
      throw new Error('DATABASE_URL is not set but CI is: the PostgreSQL tests must run in CI');
    url = DATABASE_URL;
    schema = `gaffer_t_${randomBytes(6).toString('hex')}`;
    const first = await openStore(url, { schema });
    stores.push(first);
    await seedRun(first);
    frozen = new pg.Client({ connectionString: url });
    await frozen.connect();
    await frozen.query('begin');
    // The same lock every store transaction takes first (postgres-dialect.ts BEGIN_WRITE)…
    await frozen.query(`select pg_advisory_xact_lock(${0x67616666}, hashtext($1))`, [schema]);
    // …and a table lock that lets readers in but no writer.
    await frozen.query(`lock table "${schema}".runs in share row exclusive mode`);
  });

  afterEach(async () => {
    await frozen.query('rollback').catch(() => {});
    await frozen.end();
    for (const store of stores.splice(0)) await store.close();
    await dropSchema(url, schema);
  });

  it('lets another store open and read without waiting for it', async () => {
    const reader = await openStore(url, { schema });
    stores.push(reader);
    expect((await reader.listRuns()).map((run) => run.id)).toEqual(['run-1']);
    expect((await reader.getRun('run-1'))?.status).toBe('pending');
  });

  it('fails a write that waits past the lock timeout with a store error', async () => {
    const writer = await openStore(url, { schema, postgresTimeouts: { lockMs: 100 } });
    stores.push(writer);
    const write = writer.transaction((tx) =>
      tx.appendEvent({ type: 'run.resumed', runId: 'run-1', data: { ownerId: 'test' } }),
    );
    await expect(write).rejects.toMatchObject({
      code: 'GAFFER_STORE',
      message: expect.stringContaining('timed out on waiting for a lock') as unknown,
    });
    // The connection that timed out is usable again, not stuck in an aborted transaction.
    await frozen.query('rollback');
    await writer.transaction((tx) =>
      tx.appendEvent({ type: 'run.resumed', runId: 'run-1', data: { ownerId: 'test' } }),
    );
    expect((await writer.readEvents({ runId: 'run-1' })).map((e) => e.type)).toContain('run.resumed');
  });
});
