import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, sql } from 'kysely';
import { compiledOnce } from '../../src/core/db/compiled-once.ts';
import { PipitQueryCompiler } from '../../src/core/db/query-compiler.ts';
import type { Database } from '../../src/core/db/schema.ts';

// compiledOnce (src/core/db/compiled-once.ts) builds a query of a fixed shape once, with markers in
// place of its values, and binds each call's values. Compiling only: no database is involved (here
// among the integration tests because it builds queries with Kysely itself).
const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PipitQueryCompiler(),
  },
});

let unique = 0;
const shapeKey = (name: string) => `test-${name}-${unique++}`;

const byAuthor = (v: { author: string; before: string }) =>
  db.selectFrom('statuses').select(['id', 'text']).where('account_id', '=', v.author).where('id', '<', v.before).where('visibility', '=', sql.lit('public')).limit(sql.lit(20));

describe('compiledOnce', () => {
  it('gives each call the SQL and parameters a fresh build of its own values gives', () => {
    const key = shapeKey('author');
    for (const values of [{ author: '1', before: '100' }, { author: '2', before: '50' }, { author: '1', before: '7' }]) {
      const once = compiledOnce(key, values, byAuthor);
      const fresh = byAuthor(values).compile();
      assert.equal(once.sql, fresh.sql);
      assert.deepEqual(once.parameters, fresh.parameters);
    }
  });

  it('binds a value used several times, and values of any type, at each place', () => {
    const key = shapeKey('twice');
    const build = (v: { me: string; hash: string }) => sql`SELECT ${v.me}::bigint, ${v.hash}, ${v.me}::bigint`.compile(db);
    const hash = Buffer.from('abc');
    const once = compiledOnce(key, { me: '5', hash }, build);
    assert.deepEqual(once.parameters, ['5', hash, '5']);
    assert.deepEqual(compiledOnce(key, { me: '6', hash: Buffer.from('x') }, build).parameters, ['6', Buffer.from('x'), '6']);
  });

  it('refuses a value written into the SQL text, formatted into a parameter, or left out of the shape', () => {
    assert.throws(() => compiledOnce(shapeKey('lit'), { id: '1' }, (v) => db.selectFrom('statuses').select('id').where('id', '=', sql.lit(v.id))), /written into the SQL text/);
    assert.throws(() => compiledOnce(shapeKey('format'), { s: 60 }, (v) => sql`SELECT ${`${v.s} seconds`}::interval`.compile(db)), /formatted into a parameter/);
    assert.throws(() => compiledOnce(shapeKey('unused'), { id: '1', other: '2' }, (v) => db.selectFrom('statuses').select('id').where('id', '=', v.id)), /not a parameter of this shape/);
  });
});
