import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { QueryTemplates, slot, slotted } from './query-templates.js';

interface Db {
  t: { id: string; status: string; note: string | null };
}

describe('QueryTemplates', () => {
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  afterEach(async () => {
    await db.deleteFrom('t').execute();
  });

  it('compiles a shape once and binds fresh values on every use', async () => {
    await db.schema
      .createTable('t')
      .ifNotExists()
      .addColumn('id', 'text')
      .addColumn('status', 'text')
      .addColumn('note', 'text')
      .execute();
    const templates = new QueryTemplates();
    let builds = 0;
    const insert = (id: string, note: string | null) => {
      const row = slotted('row', { id, status: 'new', note });
      return templates.bind(
        'insert',
        () => {
          builds++;
          return db.insertInto('t').values(row.slots);
        },
        row.values,
      );
    };
    await db.executeQuery(insert('a', 'first'));
    await db.executeQuery(insert('b', null));
    const update = templates.bind(
      'update',
      () =>
        db
          .updateTable('t')
          .set({ status: slot<string>('to') })
          .where('id', '=', slot<string>('id'))
          .returningAll(),
      { to: 'done', id: 'b' },
    );
    expect((await db.executeQuery(update)).rows).toEqual([{ id: 'b', status: 'done', note: null }]);
    expect(builds).toBe(1);
    expect(await db.selectFrom('t').selectAll().orderBy('id').execute()).toEqual([
      { id: 'a', status: 'new', note: 'first' },
      { id: 'b', status: 'done', note: null },
    ]);
  });

  it('refuses to run a template with a slot left unbound', () => {
    const templates = new QueryTemplates();
    expect(() =>
      templates.bind('q', () => db.selectFrom('t').selectAll().where('id', '=', slot<string>('id')), {}),
    ).toThrow(/no value for slot id/);
  });
});
