import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery } from 'kysely';
import { connect, type DatabaseHandle } from '../../src/core/db/connection.ts';
import { executePrepared } from '../../src/core/db/prepared.ts';
import { POSTGRES_SKIP_REASON } from '../helpers/databases.ts';

// On PostgreSQL the prepared statements' rows come as arrays and are made into objects by a function
// per statement (src/core/db/row-objects.ts): they must be exactly the objects node-postgres gives for
// the same statement unprepared — keys, their order, values — on every call. (PGlite is not involved.)

const serverUrl = process.env.TEST_DATABASE_URL || undefined;

// Selects only literals and a series: no table, so the server's own database serves.
const COLUMNS = `x.n AS id, 'say "hi"' AS "quote""d", NULL::text AS nothing, (x.n * 10000000000)::bigint AS big,
  '2026-11-26 10:00:00.123+00'::timestamptz + x.n * interval '1 day' AS at, json_build_object('k', x.n, 'list', json_build_array(1, 'two')) AS doc,
  x.n % 2 = 0 AS even, 1 AS dup, 2 AS dup, 'é 🐦' AS "ünïcode name"`;

describe('prepared statements’ rows as objects', { skip: serverUrl ? false : POSTGRES_SKIP_REASON }, () => {
  let handle: DatabaseHandle;
  before(async () => {
    handle = await connect({ url: serverUrl, pgliteDir: '' });
  });
  after(async () => {
    await handle?.close();
  });

  /** The statement's rows prepared (called `times` times) and unprepared (another text: never a prepared one). */
  const both = async (text: string, values: unknown[], times = 7) => {
    const unprepared = (await handle.db.executeQuery(CompiledQuery.raw(`${text} `, values))).rows;
    for (let call = 0; call < times; call++) {
      const prepared = await executePrepared(handle.db, CompiledQuery.raw(text, values));
      assert.deepEqual(prepared, unprepared, `call ${call}`);
      prepared.forEach((row, i) => assert.deepEqual(Object.keys(row as object), Object.keys(unprepared[i] as object), `call ${call}, keys in order`));
    }
    return unprepared as Record<string, unknown>[];
  };

  it('are the objects node-postgres makes: every type, quoted and repeated names, nulls, each call its own rows', async () => {
    const text = `SELECT ${COLUMNS} FROM generate_series(1, 3) AS x(n) WHERE x.n <= $1::int ORDER BY x.n`;
    const three = await both(text, [3]);
    assert.equal(three.length, 3);
    assert.deepEqual(three[1], {
      id: 2,
      'quote"d': 'say "hi"',
      nothing: null,
      big: '20000000000',
      at: new Date('2026-11-28T10:00:00.123Z'),
      doc: { k: 2, list: [1, 'two'] },
      even: true,
      dup: 2,
      'ünïcode name': 'é 🐦',
    });
    assert.equal((await both(text, [1])).length, 1);
    assert.deepEqual(await both(text, [0]), []);
  });

  it('keep a column named __proto__ a column, not the prototype', async () => {
    const [row] = await both(`SELECT 1 AS a, 'x' AS "__proto__", 2 AS b WHERE $1::int = 1`, [1]);
    assert.deepEqual(Object.keys(row!), ['a', '__proto__', 'b']);
    assert.equal(Object.getPrototypeOf(row), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(row, '__proto__')?.value, 'x');
  });
});
