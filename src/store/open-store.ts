import { join } from 'node:path';
import { Kysely } from 'kysely';
import type { Database, StoreDialect } from './schema.js';
import type { Store } from './store.js';
import { KyselyStore } from './kysely-store.js';
import { createSqliteDialect } from './sqlite-dialect.js';
import { createPostgresDialect, DEFAULT_POSTGRES_TIMEOUTS } from './postgres-dialect.js';
import type { PostgresTimeouts } from './postgres-dialect.js';

export interface OpenStoreOptions {
  /** PostgreSQL schema for Gaffer's tables, created if missing; default 'public'. Ignored for SQLite. */
  schema?: string;
  /** PostgreSQL session timeouts over {@link DEFAULT_POSTGRES_TIMEOUTS}. Ignored for SQLite. */
  postgresTimeouts?: Partial<PostgresTimeouts>;
}

const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url);

/**
 * Opens the store at `url` and brings its schema up to date.
 *
 * `url` is a `postgres://` or `postgresql://` URL, or a SQLite file path (its folder is
 * created) or ':memory:'. An unreachable PostgreSQL server is a `GAFFER_STORE` user error.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const dialect: StoreDialect = isPostgresUrl(url) ? 'postgres' : 'sqlite';
  const schema = options.schema ?? 'public';
  const db = new Kysely<Database>({
    dialect:
      dialect === 'postgres'
        ? await createPostgresDialect(url, schema, {
            ...DEFAULT_POSTGRES_TIMEOUTS,
            ...options.postgresTimeouts,
          })
        : createSqliteDialect(url),
  });
  const store = new KyselyStore(db, dialect, { schema });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** Where the store lives: the option, else env `GAFFER_DB`, else `<workspace>/.gaffer/gaffer.db`. */
export function resolveStoreUrl(
  option: string | undefined,
  env: Record<string, string | undefined>,
  workspace: string,
): string {
  if (option !== undefined && option !== '') return option;
  const fromEnv = env.GAFFER_DB;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return join(workspace, '.gaffer', 'gaffer.db');
}
