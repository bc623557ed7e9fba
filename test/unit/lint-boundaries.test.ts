import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

// The boundaries of DESIGN.md are lint rules (eslint.config.js), run by CI. This proves they bite:
// each case lints a snippet as if it were a file at that path in the project.

const ROOT = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT });

/** The rule ids and messages ESLint reports for `code` placed at `path`. */
async function lint(path: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  assert.ok(result, 'ESLint returned no result');
  return result.messages.map(({ ruleId, message }) => ({ ruleId, message }));
}

describe('lint boundaries', () => {
  it('reports src/web importing kysely, and says why', async () => {
    const messages = await lint('src/web/routes/example.ts', "import { sql } from 'kysely';\nexport const q = sql;\n");
    assert.equal(messages.length, 1);
    assert.equal(messages[0]!.ruleId, 'no-restricted-imports');
    assert.match(messages[0]!.message, /only src\/core talks to the database/);
  });

  it('lets src/core import kysely', async () => {
    assert.deepEqual(await lint('src/core/posts/example.ts', "import { sql } from 'kysely';\nexport const q = sql;\n"), []);
  });

  it('reports every database package outside src/core, type imports and dynamic imports included', async () => {
    const cases = [
      ['src/worker/example.ts', "import pg from 'pg';\nexport const p = pg;\n"],
      ['src/cli/example.ts', "import { PGlite } from '@electric-sql/pglite';\nexport const p = PGlite;\n"],
      ['src/web/example.ts', "import type { Kysely } from 'kysely';\nexport type K = Kysely<unknown>;\n"],
      ['src/web/example.ts', "import { PgBoss } from 'pg-boss';\nexport const b = PgBoss;\n"],
      ['src/web/example.ts', "export const m = await import('@electric-sql/pglite/vector');\n"],
      ['test/e2e/example.test.ts', "import { sql } from 'kysely';\nexport const q = sql;\n"],
    ] as const;
    for (const [path, code] of cases) {
      const messages = await lint(path, code);
      assert.equal(messages.length, 1, `${path}: ${code}`);
      assert.match(messages[0]!.message, /only src\/core talks to the database/, `${path}: ${code}`);
    }
  });

  it('keeps web and worker apart, and core free of both (and of cli)', async () => {
    const reported = [
      ['src/web/routes/example.ts', "import { startWorker } from '../../worker/worker.ts';\nexport const w = startWorker;\n"],
      ['src/worker/example.ts', "import { buildApp } from '../web/app.ts';\nexport const a = buildApp;\n"],
      ['src/core/example.ts', "import { startWeb } from '../web/server.ts';\nexport const s = startWeb;\n"],
      ['src/core/jobs/example.ts', "import { startWorker } from '../../worker/worker.ts';\nexport const w = startWorker;\n"],
      ['src/core/example.ts', "export const m = await import('../cli/main.ts');\n"],
    ] as const;
    for (const [path, code] of reported) assert.equal((await lint(path, code)).length, 1, `${path}: ${code}`);
    // The command line is where web and worker meet.
    const cli = "import { startWeb } from '../web/server.ts';\nimport { startWorker } from '../worker/worker.ts';\nexport const s = [startWeb, startWorker];\n";
    assert.deepEqual(await lint('src/cli/example.ts', cli), []);
  });

  it('judges imports between folders by the path they resolve to, not by how they are spelled', async () => {
    const reported = [
      // A detour through ./ or back into core does not hide where the import lands.
      ['src/core/jobs/example.ts', "import { buildApp } from '../../../src/web/app.ts';\nexport const a = buildApp;\n"],
      ['src/core/example.ts', "import { startWorker } from './../core/../worker/worker.ts';\nexport const w = startWorker;\n"],
      // Re-exports and type-only imports count too, including `import('…')` in a type.
      ['src/core/example.ts', "export * from '../web/app.ts';\n"],
      ['src/core/example.ts', "export type O = import('../web/app.ts').AppOptions;\n"],
      ['src/web/example.ts', "import type { Logger } from '../worker/../cli/logger.ts';\nexport type L = Logger;\n"],
    ] as const;
    for (const [path, code] of reported) assert.equal((await lint(path, code)).length, 1, `${path}: ${code}`);
    // `../web` from src/core/jobs is src/core/web: inside core, not the web (the old pattern rule said otherwise).
    assert.deepEqual(await lint('src/core/jobs/example.ts', "import { x } from '../web/x.ts';\nexport const y = x;\n"), []);
  });

  it('lets code outside src/core import the core only through src/core/index.ts', async () => {
    const deep = [
      ['src/web/api/example.ts', "import { connect } from '../../core/db/connection.ts';\nexport const c = connect;\n"],
      ['src/worker/handlers/example.ts', "import type { QueueName } from '../../core/jobs/queues.ts';\nexport type Q = QueueName;\n"],
      ['src/cli/example.ts', "import { SEED_PASSWORD } from '../core/seed/seed.ts';\nexport const p = SEED_PASSWORD;\n"],
      ['src/web/example.ts', "export { isId } from '../core/domain/ids.ts';\n"],
      ['src/web/example.ts', "export const m = await import('../core/../core/db/migrate.ts');\n"],
    ] as const;
    for (const [path, code] of deep) {
      const messages = await lint(path, code);
      assert.equal(messages.length, 1, `${path}: ${code}`);
      assert.equal(messages[0]!.ruleId, 'pipit/boundaries');
      assert.match(messages[0]!.message, /import the core only through src\/core\/index\.ts/);
    }
    for (const [path, code] of [
      ['src/web/example.ts', "import { isId } from '../core/index.ts';\nexport const i = isId;\n"],
      ['src/worker/handlers/example.ts', "import type { Core } from '../../core/./index.ts';\nexport type C = Core;\n"],
      // Tests and benchmarks test the parts, and may reach them directly.
      ['test/integration/example.test.ts', "import { connect } from '../../src/core/db/connection.ts';\nexport const c = connect;\n"],
      ['test/unit/example.test.ts', "import { isId } from '../../src/core/domain/ids.ts';\nexport const i = isId;\n"],
      ['bench/example.ts', "import { connect } from '../src/core/db/connection.ts';\nexport const c = connect;\n"],
    ] as const) {
      assert.deepEqual(await lint(path, code), [], `${path}: ${code}`);
    }
  });

  it('lets only src/core/config.ts read process.env in src', async () => {
    const code = 'export const port = process.env.PORT;\n';
    assert.deepEqual(await lint('src/core/config.ts', code), []);
    for (const path of ['src/core/example.ts', 'src/web/example.ts', 'src/cli/example.ts']) {
      const messages = await lint(path, code);
      assert.equal(messages.length, 1, path);
      assert.match(messages[0]!.message, /only src\/core\/config\.ts reads the environment/);
    }
    assert.equal((await lint('src/web/example.ts', "import { env } from 'node:process';\nexport const e = env;\n")).length, 1);
    assert.equal((await lint('src/web/example.ts', 'const { env } = process;\nexport const e = env;\n')).length, 1);
    // Tests and benchmarks configure what they start from the environment.
    assert.deepEqual(await lint('test/helpers/example.ts', code), []);
  });
});
