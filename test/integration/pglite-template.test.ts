import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import { makeTemplate, openPglite, templatePath } from '../../src/core/db/pglite-template.ts';

// A new embedded database on disk starts as a copy of the empty one made at install instead of running initdb
// (src/core/db/pglite-template.ts). initdb gives every cluster a new system identifier; a copy keeps
// the one of the database it was copied from, which is how these tests tell the two apart.
describe('new embedded databases start from the copy made at install', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'pipit-template-'));
    // What `npm install` does (postinstall); idempotent.
    await makeTemplate();
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const systemId = async (pglite: PGlite) =>
    (await pglite.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()')).rows[0]!.id;

  async function idOf(dir: string, template?: string): Promise<string> {
    const pglite = await openPglite(dir, { template });
    try {
      await pglite.query('CREATE TABLE IF NOT EXISTS probe (id int)');
      return await systemId(pglite);
    } finally {
      await pglite.close();
    }
  }

  it('gives two new directories the copy, and reopens each as it left it', async () => {
    assert.ok(existsSync(templatePath()));
    const first = await idOf(join(root, 'a'));
    assert.equal(await idOf(join(root, 'b')), first, 'both are copies of the same empty database');
    // An existing database is opened, never overwritten by the copy.
    const reopened = await openPglite(join(root, 'a'));
    try {
      assert.deepEqual((await reopened.query('SELECT count(*)::int AS n FROM probe')).rows, [{ n: 0 }]);
    } finally {
      await reopened.close();
    }
  });

  it('falls back to initdb when the copy is damaged, leaving a working database', async () => {
    // A copy cut short: its control file (and most else) is missing.
    const damaged = join(root, 'damaged');
    await cp(templatePath(), damaged, { recursive: true });
    await rm(join(damaged, 'global'), { recursive: true });
    await writeFile(join(damaged, 'PG_VERSION'), '17\n');
    const dir = join(root, 'c');
    const id = await idOf(dir, damaged);
    assert.notEqual(id, await idOf(join(root, 'd')), 'initdb made a cluster of its own');
    assert.ok((await readdir(dir)).includes('PG_VERSION'));
  });
});
