import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMain } from '../support/cli.js';
import { makeRepo } from '../support/repo.js';

let repo: string;
beforeEach(() => {
  repo = makeRepo({ 'README.md': '# demo\n' });
});
afterEach(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe('a store that is not a readable database', () => {
  it('is one clear user error naming the file and the command that moves it aside', async () => {
    const db = join(repo, '.gaffer', 'gaffer.db');
    mkdirSync(join(repo, '.gaffer'));
    const garbage = randomBytes(8192);
    writeFileSync(db, garbage);

    const result = await runMain(['status'], repo);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `the store at ${db} is not a readable Gaffer database (file is not a database)`,
    );
    expect(result.stderr).toContain(`move it aside to start fresh (with no runs): mv ${db} ${db}.corrupt`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    // Nothing was written to it or beside it.
    expect(readFileSync(db).equals(garbage)).toBe(true);
    expect(readdirSync(join(repo, '.gaffer'))).toEqual(['gaffer.db']);
  });

  it('once moved aside as the hint says, gaffer starts fresh', async () => {
    const db = join(repo, '.gaffer', 'gaffer.db');
    mkdirSync(join(repo, '.gaffer'));
    writeFileSync(db, 'not sqlite at all\n'.repeat(400));
    const first = await runMain(['status'], repo);
    const [, from, to] = /mv (\S+) (\S+)/.exec(first.stderr) ?? [];
    expect(from).toBe(db);
    renameSync(from!, to!);

    const second = await runMain(['status'], repo);
    expect(second.stderr).not.toContain('not a readable');
    expect(second.stderr).toContain('there are no runs in this workspace yet');
  });
});

describe('a SQLite store another process holds locked', () => {
  it('fails a write with one clear store error, not the driver’s', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { openStore } = await import('../../src/store/index.js');
    const file = join(repo, '.gaffer', 'gaffer.db');
    const store = await openStore(file);
    // Another connection (a frozen engine) holds the write lock.
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    try {
      await expect(
        store.transaction((tx) =>
          tx.appendEvent({ type: 'run.resumed', runId: 'r', data: { ownerId: 'x' } }),
        ),
      ).rejects.toMatchObject({
        code: 'GAFFER_STORE',
        message: expect.stringContaining('locked by another process') as string,
      });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
      await store.close();
    }
  });
});
