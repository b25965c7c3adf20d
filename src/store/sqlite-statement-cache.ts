import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

// Kysely's SQLite driver prepares every query afresh; with Gaffer's short transactions that
// costs as much as running them. The SQL text of a query builder is stable, so a statement
// can be reused (SQLite re-prepares it itself after a schema change).
const MAX_STATEMENTS = 256;

/**
 * The database as Kysely's `SqliteDialect` sees it, with prepared statements cached by SQL.
 * Safe because Kysely runs a statement to completion before the next one, except for
 * `.stream()`, which Gaffer does not use.
 */
export function withStatementCache(db: Database.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        // Oldest out first: a rare dynamic query cannot grow the cache without bound.
        if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
