import { PGlite } from '@electric-sql/pglite';
import Fastify from 'fastify';
import pg from 'pg';
import { serveUntilStopped } from './child-lifecycle.ts';

// The baseline: the least a Node server can do for each page. One Fastify route per target, each
// running the single indexed query the page needs and replying with the rows as JSON. No logging,
// no templates, no hooks. Same driver settings as src/core/db/connection.ts (pool of 10, bigints as
// strings) so the difference measured is Pipit's own work.
// Environment: BENCH_BASELINE_DATABASE_URL (PostgreSQL) or BENCH_BASELINE_PGLITE_DIR (embedded).

const INT8_OID = 20;
const identity = (value: string): string => value;

// The columns of selectPosts() in src/core/posts/post-view.ts.
const COLUMNS = `s.id, s.text, s.content_html, s.spoiler_text, s.visibility, s.sensitive, s.language,
  s.in_reply_to_id, s.in_reply_to_account_id, s.replies_count, s.reblogs_count, s.favourites_count,
  s.account_id, s.created_at, s.edited_at,
  a.username AS account_username, a.display_name AS account_display_name, a.note AS account_note,
  a.is_admin AS account_is_admin, a.locked AS account_locked, a.bot AS account_bot,
  a.statuses_count AS account_statuses_count, a.followers_count AS account_followers_count,
  a.following_count AS account_following_count, a.last_status_at AS account_last_status_at,
  a.created_at AS account_created_at`;

// Values are parameters, as Kysely sends them. The account is found by a subquery rather than by
// `a.username = $1` on the join: with the join, PostgreSQL reads all of the account's posts and
// sorts them (~2 ms for 200 posts); with the id known it walks statuses_account_id_id_idx in order
// and stops after 20 (~0.3 ms). The baseline should be the best form of the query, not a weak one.
const PROFILE_SQL = `SELECT ${COLUMNS} FROM statuses s JOIN accounts a ON a.id = s.account_id
  WHERE s.account_id = (SELECT id FROM accounts WHERE username = $1)
    AND s.reblog_of_id IS NULL AND s.visibility IN ($2, $3)
  ORDER BY s.id DESC LIMIT $4`;
// Uses the partial index statuses_public_id_idx.
const PUBLIC_SQL = `SELECT ${COLUMNS} FROM statuses s JOIN accounts a ON a.id = s.account_id
  WHERE s.visibility = $1 AND s.reblog_of_id IS NULL
  ORDER BY s.id DESC LIMIT $2`;

type Query = (sql: string, params: unknown[]) => Promise<unknown[]>;

async function openDatabase(): Promise<{ query: Query; close(): Promise<void> }> {
  const url = process.env.BENCH_BASELINE_DATABASE_URL;
  if (url) {
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      connectionTimeoutMillis: 5_000,
      types: { getTypeParser: (oid, format) => (oid === INT8_OID ? identity : pg.types.getTypeParser(oid, format)) } as pg.CustomTypesConfig,
    });
    pool.on('error', () => {});
    return { query: async (sql, params) => (await pool.query(sql, params)).rows, close: () => pool.end() };
  }
  const dir = process.env.BENCH_BASELINE_PGLITE_DIR;
  if (!dir) throw new Error('Set BENCH_BASELINE_DATABASE_URL or BENCH_BASELINE_PGLITE_DIR');
  const pglite = await PGlite.create(dir, { parsers: { [INT8_OID]: identity } });
  return { query: async (sql, params) => (await pglite.query(sql, params)).rows, close: () => pglite.close() };
}

const db = await openDatabase();
const app = Fastify({ logger: false });
app.get<{ Params: { username: string } }>('/@:username', async (request) =>
  db.query(PROFILE_SQL, [request.params.username.toLowerCase(), 'public', 'unlisted', 20]),
);
app.get('/', async () => db.query(PUBLIC_SQL, ['public', 20]));

const url = await app.listen({ host: '127.0.0.1', port: 0 });
serveUntilStopped(url, async () => {
  await app.close();
  await db.close();
});
