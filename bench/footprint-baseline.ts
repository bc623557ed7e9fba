import { PGlite } from '@electric-sql/pglite';
import Fastify from 'fastify';
import pg from 'pg';
import { PGLITE_OPTIONS } from '../src/core/db/pglite-options.ts';

// The footprint benchmark's baseline: the least a process can be that answers /readyz from the same
// database — the engine opened exactly as Pipit opens it (PGlite with Pipit's options, or a pg pool),
// and a bare Fastify app with one route running `SELECT 1`. No migrations, no job queue, no website.
// Environment: BENCH_BASELINE_DATABASE_URL (PostgreSQL) or BENCH_BASELINE_PGLITE_DIR; PORT, HOST.

async function open(): Promise<{ query(): Promise<unknown>; close(): Promise<void> }> {
  const url = process.env.BENCH_BASELINE_DATABASE_URL;
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    pool.on('error', () => {});
    return { query: () => pool.query('SELECT 1'), close: () => pool.end() };
  }
  const dir = process.env.BENCH_BASELINE_PGLITE_DIR;
  if (!dir) throw new Error('Set BENCH_BASELINE_DATABASE_URL or BENCH_BASELINE_PGLITE_DIR');
  const pglite = await PGlite.create(dir, PGLITE_OPTIONS);
  return { query: () => pglite.query('SELECT 1'), close: () => pglite.close() };
}

const db = await open();
const app = Fastify({ logger: false });
app.get('/readyz', async () => {
  await db.query();
  return { status: 'ready' };
});
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
const stop = () => void app.close().then(() => db.close()).then(() => process.exit(0), () => process.exit(1));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
