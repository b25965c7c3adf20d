import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { onTestFinished } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';

/** The databases an integration suite runs on, once each (`for (const dialect of DIALECTS) describe(…)`). */
export const DIALECTS = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof DIALECTS)[number];

const DATABASE_URL = process.env.DATABASE_URL || undefined;
const IN_CI = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

/**
 * Whether a dialect's suite is skipped: PostgreSQL when DATABASE_URL is unset on a developer's
 * machine. In CI it never is, so a lost DATABASE_URL fails every PostgreSQL test instead of
 * quietly halving the suite.
 */
export function skipDialect(dialect: TestDialect): boolean {
  return dialect === 'postgres' && !DATABASE_URL && !IN_CI;
}

/**
 * Opens a fresh store for the running test and closes it when the test finishes (a PostgreSQL
 * schema is dropped as well). SQLite lives where the CLI puts it, `<repoDir>/.gaffer/gaffer.db`, so
 * a `gaffer` child process started in `repoDir` sees the same store; PostgreSQL gets a schema of
 * its own, so test files running in parallel never meet.
 */
export async function openTestStore(dialect: TestDialect, repoDir: string): Promise<Store> {
  if (dialect === 'sqlite') {
    const store = await openStore(join(repoDir, '.gaffer', 'gaffer.db'));
    onTestFinished(() => store.close());
    return store;
  }
  if (!DATABASE_URL) {
    throw new Error(
      'DATABASE_URL is not set but CI is: the PostgreSQL variant of the engine tests must run in CI',
    );
  }
  const url = DATABASE_URL;
  const schema = `gaffer_t_${randomBytes(6).toString('hex')}`;
  const opening = openStore(url, { schema });
  // Registered before the migration is awaited, so one that fails half-way leaves nothing behind;
  // one hook, so the pool is closed before its schema is dropped whatever `sequence.hooks` says.
  onTestFinished(async () => {
    try {
      await (await opening.catch(() => undefined))?.close();
    } finally {
      await dropSchema(url, schema);
    }
  });
  return opening;
}

/** Drops a test's PostgreSQL schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await admin.end();
  }
}
