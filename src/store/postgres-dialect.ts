import pg from 'pg';
import { CompiledQuery, PostgresDialect, PostgresDriver } from 'kysely';
import type { DatabaseConnection, Driver, PostgresDialectConfig } from 'kysely';
import { GafferError, userError } from '../domain/index.js';

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
// Without it a black-holed host makes `gaffer` hang forever on start.
const CONNECT_TIMEOUT_MS = 10_000;

// First key of the two-key advisory lock: 'gaff' in ASCII, to stay clear of other users; the
// second is the schema, so stores in different schemas of one database do not wait for each other.
const BEGIN_WRITE = `begin; select pg_advisory_xact_lock(${0x67616666}, hashtext(current_schema()))`;

// Every store transaction takes one transaction-scoped lock as it begins (in the same round
// trip), so writing transactions commit one at a time. That makes `events.id` (a sequence)
// grow in commit order: a reader that saw event N can never later find a new event below N,
// which would otherwise happen when two transactions commit in the opposite order of their
// inserts. Plain reads outside transactions are not affected.
class SerialPostgresDriver extends PostgresDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(BEGIN_WRITE));
  }
}

class SerialPostgresDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;

  constructor(config: PostgresDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new SerialPostgresDriver(this.#config);
  }
}

/** The URL with its password removed, fit for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1@');
  }
}

/**
 * Connects a pool to `url` with `search_path` set to `schema`, checking the connection once so
 * an unreachable server is reported as a user error rather than on the first query.
 */
export async function createPostgresDialect(url: string, schema: string): Promise<PostgresDialect> {
  if (!SCHEMA_NAME.test(schema)) {
    throw userError(
      'GAFFER_STORE',
      `invalid PostgreSQL schema name "${schema}"`,
      'use letters, digits and _ only',
    );
  }
  let pool: pg.Pool | undefined;
  try {
    pool = new pg.Pool({
      connectionString: url,
      options: `-c search_path=${schema}`,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // A CLI command that forgot nothing but the pool must still exit promptly.
      allowExitOnIdle: true,
    });
    // An idle client losing its server emits 'error' on the pool, which would otherwise crash
    // the process; the next query fails on its own and reports it.
    pool.on('error', () => {});
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool?.end().catch(() => {});
    throw new GafferError(
      'GAFFER_STORE',
      `cannot reach PostgreSQL at ${redactUrl(url)}: ${reasonOf(error)}`,
      {
        cause: error,
        userError: true,
        hint: 'start PostgreSQL or check --db / GAFFER_DB',
      },
    );
  }
  return new SerialPostgresDialect({ pool });
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node reports a refused dual-stack connect as an AggregateError with an empty message.
  const code = (error as { code?: unknown }).code;
  if (error.message !== '') return error.message;
  if (typeof code === 'string') return code;
  if (error instanceof AggregateError) return error.errors.map(reasonOf).join('; ');
  return error.name;
}
