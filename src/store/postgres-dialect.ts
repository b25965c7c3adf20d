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

type PostgresConnection = Parameters<PostgresDriver['releaseConnection']>[0];

// Every store transaction takes one transaction-scoped lock as it begins (in the same round
// trip), so writing transactions commit one at a time. That makes `events.id` (a sequence)
// grow in commit order: a reader that saw event N can never later find a new event below N,
// which would otherwise happen when two transactions commit in the opposite order of their
// inserts. Plain reads outside transactions are not affected.
class SerialPostgresDriver extends PostgresDriver {
  // Kysely releases the connection it handed out; the driver must get its own object back.
  readonly #wrapped = new WeakMap<DatabaseConnection, PostgresConnection>();

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = (await super.acquireConnection()) as PostgresConnection;
    const wrapper: DatabaseConnection = {
      executeQuery: <R>(query: CompiledQuery) => connection.executeQuery<R>(query).catch(rethrowTimeout),
      // Kysely always passes a chunk size (100 unless told); the fallback only satisfies the type.
      streamQuery: <R>(query: CompiledQuery, chunkSize?: number) =>
        connection.streamQuery<R>(query, chunkSize ?? 100),
    };
    this.#wrapped.set(wrapper, connection);
    return wrapper;
  }

  override async releaseConnection(connection: PostgresConnection): Promise<void> {
    await super.releaseConnection(this.#wrapped.get(connection) ?? connection);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw(BEGIN_WRITE));
    } catch (error) {
      // `begin` ran but the lock did not (a lock timeout): Kysely rolls back only a transaction
      // that began, so without this the connection went back to the pool inside an aborted
      // transaction and failed every later query.
      await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => {});
      throw error;
    }
  }
}

/** How long a PostgreSQL session may wait or idle before the server gives up on it. */
export interface PostgresTimeouts {
  /** Waiting for a lock, including the write lock every store transaction takes. */
  lockMs: number;
  /** Any one statement. */
  statementMs: number;
  /** A transaction left open without a statement running (its client frozen or gone). */
  idleInTransactionMs: number;
}

// A store transaction holds the write lock for milliseconds; one engine frozen inside one
// (SIGSTOP, a debugger, a lost network) must not make every other command hang with it. Its
// session is ended after the idle timeout, which frees the lock; until then the others fail
// after the lock timeout with a message instead of waiting forever.
export const DEFAULT_POSTGRES_TIMEOUTS: PostgresTimeouts = {
  lockMs: 30_000,
  statementMs: 60_000,
  idleInTransactionMs: 60_000,
};

// SQLSTATEs of the three timeouts: lock_not_available, query_canceled, idle_in_transaction_session_timeout.
const TIMEOUT_CODES: Record<string, string> = {
  '55P03': 'waiting for a lock held by another connection',
  '57014': 'a statement',
  '25P03': 'a transaction left idle',
};

function rethrowTimeout(error: unknown): never {
  const code = (error as { code?: unknown }).code;
  const what = typeof code === 'string' ? TIMEOUT_CODES[code] : undefined;
  if (what === undefined) throw error;
  throw new GafferError('GAFFER_STORE', `PostgreSQL timed out on ${what}: ${reasonOf(error)}`, {
    cause: error,
    hint: 'another Gaffer process may be stopped inside a transaction: continue or end it (see `gaffer status`), then try again',
    details: { sqlState: code },
  });
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
 * Connects a pool to `url` with `search_path` set to `schema` and the session timeouts set,
 * checking the connection once so an unreachable server is reported as a user error rather than
 * on the first query. A timeout on a query becomes a GAFFER_STORE error.
 */
export async function createPostgresDialect(
  url: string,
  schema: string,
  timeouts: PostgresTimeouts = DEFAULT_POSTGRES_TIMEOUTS,
): Promise<PostgresDialect> {
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
      options: [
        `-c search_path=${schema}`,
        `-c lock_timeout=${Math.round(timeouts.lockMs)}`,
        `-c statement_timeout=${Math.round(timeouts.statementMs)}`,
        `-c idle_in_transaction_session_timeout=${Math.round(timeouts.idleInTransactionMs)}`,
      ].join(' '),
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
