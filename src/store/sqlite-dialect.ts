import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, Driver, SqliteDatabase } from 'kysely';
import { GafferError } from '../domain/index.js';
import { withStatementCache } from './sqlite-statement-cache.js';

// `BEGIN IMMEDIATE` takes the write lock up front. With a plain (deferred) `BEGIN`, two
// processes that both read and then write deadlock on the lock upgrade and one fails with
// SQLITE_BUSY at once, without waiting out busy_timeout.
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;

  constructor(database: SqliteDatabase) {
    super({ database });
    this.#database = database;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }
}

/** Opens (creating it and its folder if needed) a SQLite database file, or ':memory:'. */
export function createSqliteDialect(path: string): SqliteDialect {
  let db: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes
    // in WAL mode (only a power loss may drop the last commits), and much faster than FULL.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    throw new GafferError(
      'GAFFER_STORE',
      `cannot open SQLite database at ${path}: ${(error as Error).message}`,
      {
        cause: error,
        userError: true,
        hint: 'check the path given by --db / GAFFER_DB and its permissions',
      },
    );
  }
  return new ImmediateSqliteDialect(withStatementCache(db));
}
