import { AsyncLocalStorage } from 'node:async_hooks';
import { DEFAULT_MIGRATION_TABLE, Migrator, sql } from 'kysely';
import type { Kysely, MigrationProvider } from 'kysely';
import { GafferError } from '../domain/index.js';
import type {
  AttemptRecord,
  EvaluationRecord,
  LeaseRecord,
  RunRecord,
  StoredEvent,
  TaskRecord,
} from '../domain/index.js';
import type { Database, StoreDialect } from './schema.js';
import type { EventQuery, Store, StoreTx } from './store.js';
import { createMigrationProvider } from './migrations.js';
import { KyselyStoreTx } from './store-tx.js';
import { QueryTemplates } from './query-templates.js';
import { acquireLease, releaseLease, renewLease, selectLease } from './leases.js';
import {
  selectAttempt,
  selectAttempts,
  selectEvaluations,
  selectEvents,
  selectLastEventId,
  selectRun,
  selectRuns,
  selectTask,
  selectTasks,
} from './read-queries.js';

export interface KyselyStoreOptions {
  /** PostgreSQL schema holding the tables (and Kysely's migration tables). */
  schema?: string;
}

/**
 * {@link Store} over Kysely, the same code for SQLite and PostgreSQL.
 *
 * Calling the store itself from inside `transaction(fn)` is refused: on SQLite it would wait
 * forever for the one connection the transaction holds, and on PostgreSQL it would not see the
 * transaction's own writes. Use the `tx` passed to `fn`.
 */
export class KyselyStore implements Store {
  readonly #inTransaction = new AsyncLocalStorage<{ open: boolean }>();
  readonly #templates = new QueryTemplates();

  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
    private readonly options: KyselyStoreOptions = {},
  ) {}

  async migrate(): Promise<void> {
    const provider = createMigrationProvider(this.dialect);
    // The migrator takes its lock (on PostgreSQL, behind every open write transaction) even when
    // there is nothing to do; a read-only command must not wait for an engine frozen mid-write.
    if (await this.#isAtLatest(provider)) return;
    const migrator = new Migrator({
      db: this.db,
      provider,
      ...(this.dialect === 'postgres' ? { migrationTableSchema: this.options.schema ?? 'public' } : {}),
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error !== undefined) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new GafferError('GAFFER_STORE', `database migration ${failed ?? ''} failed: ${describe(error)}`, {
        cause: error,
        hint: 'check that the database is a Gaffer database and that this Gaffer version is not older than the one that wrote it',
      });
    }
  }

  /**
   * Whether exactly the migrations this version knows have run, read without any lock. False
   * when the migration table is missing (a fresh database) or lists others (a newer Gaffer):
   * the migrator then creates it, or reports the mismatch.
   */
  async #isAtLatest(provider: MigrationProvider): Promise<boolean> {
    const known = Object.keys(await provider.getMigrations());
    const table =
      this.dialect === 'postgres'
        ? `${this.options.schema ?? 'public'}.${DEFAULT_MIGRATION_TABLE}`
        : DEFAULT_MIGRATION_TABLE;
    try {
      const { rows } = await sql<{ name: string }>`select name from ${sql.table(table)}`.execute(this.db);
      const done = new Set(rows.map((row) => row.name));
      return done.size === known.length && known.every((name) => done.has(name));
    } catch {
      return false;
    }
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.#refuseInsideTransaction();
    const scope = { open: true };
    try {
      return await this.db
        .transaction()
        .execute((trx) =>
          this.#inTransaction.run(scope, () => fn(new KyselyStoreTx(trx, this.#templates, this.dialect))),
        );
    } catch (error) {
      throw busyAsStoreError(error);
    } finally {
      // Work the callback left running past its end keeps this context; it must not stay refused.
      scope.open = false;
    }
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return selectRun(this.#reader(), runId);
  }

  async listRuns(): Promise<RunRecord[]> {
    return selectRuns(this.#reader());
  }

  async listTasks(runId: string): Promise<TaskRecord[]> {
    return selectTasks(this.#reader(), runId);
  }

  async getTask(runId: string, taskId: string): Promise<TaskRecord | undefined> {
    return selectTask(this.#reader(), runId, taskId);
  }

  async listAttempts(runId: string, taskId?: string): Promise<AttemptRecord[]> {
    return selectAttempts(this.#reader(), runId, taskId);
  }

  async getAttempt(attemptId: string): Promise<AttemptRecord | undefined> {
    return selectAttempt(this.#reader(), attemptId);
  }

  async listEvaluations(runId: string, taskId?: string): Promise<EvaluationRecord[]> {
    return selectEvaluations(this.#reader(), runId, taskId);
  }

  async readEvents(query: EventQuery): Promise<StoredEvent[]> {
    return selectEvents(this.#reader(), query);
  }

  async lastEventId(runId: string): Promise<number> {
    return selectLastEventId(this.#reader(), runId);
  }

  async acquireLease(
    runId: string,
    ownerId: string,
    ttlMs: number,
    options: { takeOverFrom?: string } = {},
  ): Promise<LeaseRecord | undefined> {
    return acquireLease(this.#reader(), runId, ownerId, ttlMs, options.takeOverFrom);
  }

  async renewLease(runId: string, ownerId: string, token: number, ttlMs: number): Promise<boolean> {
    return renewLease(this.#reader(), runId, ownerId, token, ttlMs);
  }

  async releaseLease(runId: string, ownerId: string, token: number): Promise<void> {
    return releaseLease(this.#reader(), runId, ownerId, token);
  }

  async getLease(runId: string): Promise<LeaseRecord | undefined> {
    return selectLease(this.#reader(), runId);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    // An AsyncLocalStorage that was ever run stays active, and every later promise of the process pays for it.
    this.#inTransaction.disable();
  }

  #reader(): Kysely<Database> {
    this.#refuseInsideTransaction();
    return this.db;
  }

  #refuseInsideTransaction(): void {
    if (this.#inTransaction.getStore()?.open === true) {
      throw new GafferError('GAFFER_STORE', 'the store was called from inside one of its own transactions', {
        hint: 'use the `tx` passed to transaction(fn) for reads and writes inside the transaction',
      });
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * SQLite's `database is locked` after its busy timeout: another process holds the write lock
 * (an engine frozen mid-transaction). One clear error instead of the driver's.
 */
function busyAsStoreError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') return error;
  return new GafferError('GAFFER_STORE', `the store is locked by another process: ${describe(error)}`, {
    cause: error,
    hint: 'another gaffer holds the database; wait for it, or stop it if it is frozen (a stopped process: kill -CONT or kill it)',
  });
}
