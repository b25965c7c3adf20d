import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, DialectAdapter, Driver, SqliteDatabase } from 'kysely';
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

// Kysely runs SQLite migrations outside a transaction and its migration lock is a no-op there,
// so two processes opening a fresh file both saw no migration done and both created `runs`
// ("table runs already exists"). SQLite's DDL is transactional: saying so makes the migrator
// run in one `BEGIN IMMEDIATE` transaction, which holds the file's write lock from before it
// reads which migrations ran until they are committed, and undoes a migration that fails.
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
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

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/** Opens (creating it and its folder if needed) a SQLite database file, or ':memory:'. */
export function createSqliteDialect(path: string): SqliteDialect {
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    // First: switching a fresh file to WAL needs its write lock, which another process opening
    // it at the same moment may hold; without a busy timeout that fails at once.
    db.pragma('busy_timeout = 5000');
    // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes
    // in WAL mode (only a power loss may drop the last commits), and much faster than FULL.
    whileBusy(() => db?.pragma('journal_mode = WAL'));
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Reads the schema page now, so a damaged file is reported here, once, with the way out.
    db.prepare('select count(*) from sqlite_master').get();
  } catch (error) {
    db?.close();
    if (isUnreadableDatabase(error)) throw unreadableStore(path, error);
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

/**
 * Runs `step` again while SQLite answers busy: the switch to WAL of a file that other processes
 * are opening at the same moment can fail with SQLITE_BUSY without waiting out busy_timeout
 * (seen with six processes opening one fresh store). Opening is synchronous, so the pause is too.
 */
function whileBusy(step: () => unknown, tries = 100, pauseMs = 50): void {
  for (let attempt = 1; ; attempt++) {
    try {
      step();
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || attempt >= tries) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
    }
  }
}

// SQLITE_NOTADB: not a SQLite file at all (overwritten, or another format); SQLITE_CORRUPT: damaged.
const UNREADABLE_CODES = ['SQLITE_NOTADB', 'SQLITE_CORRUPT'];

function isUnreadableDatabase(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && UNREADABLE_CODES.some((prefix) => code.startsWith(prefix));
}

function unreadableStore(path: string, error: unknown): GafferError {
  const reason = (error as Error).message;
  // SQLite keeps recent writes in the -wal file beside the database; left behind, it would be
  // replayed into the fresh database, so it moves aside with it.
  const files = [path, `${path}-wal`, `${path}-shm`].filter((file) => file === path || existsSync(file));
  const moves = files.map((file) => `mv ${shellQuote(file)} ${shellQuote(`${file}.corrupt`)}`).join(' && ');
  return new GafferError(
    'GAFFER_STORE',
    `the store at ${path} is not a readable Gaffer database (${reason})`,
    {
      cause: error,
      userError: true,
      hint: `move it aside to start fresh (with no runs): ${moves}`,
      details: { path },
    },
  );
}

/** Quotes a path for a POSIX shell command the user may copy; plain paths stay as they are. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
