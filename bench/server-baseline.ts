import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
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
// Constants (the page size, 'public') are literals, as Pipit writes them, so that PostgreSQL keeps a
// generic plan for the prepared statement (see openDatabase).
const PROFILE_SQL = `SELECT ${COLUMNS} FROM statuses s JOIN accounts a ON a.id = s.account_id
  WHERE s.account_id = (SELECT id FROM accounts WHERE username = $1)
    AND s.reblog_of_id IS NULL AND s.visibility IN ('public', 'unlisted')
  ORDER BY s.id DESC LIMIT 20`;
// Uses the partial index statuses_public_id_idx.
const PUBLIC_SQL = `SELECT ${COLUMNS} FROM statuses s JOIN accounts a ON a.id = s.account_id
  WHERE s.visibility = 'public' AND s.reblog_of_id IS NULL
  ORDER BY s.id DESC LIMIT 20`;

// The API targets: a full page of Status entities for the viewer a bearer token names, from ONE
// statement per request — the token's account, the posts it may see, each with its author, app,
// mentions, tags, attachments and the viewer's flags. (No boost hydration: the seeded pages measured
// hold no boosts.) The rows are then shaped into the same complete entity Pipit answers (every key
// mastodon-api.md §3 lists, absolute URLs), with plain object literals and JSON.stringify: the least
// a server can do to give a client the same bytes. Returning the bare rows instead (a third smaller,
// no URLs, no nested account) would flatter the baseline and measure a different answer.
const VIEWER = `WITH viewer AS (
    SELECT account_id AS id FROM oauth_access_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND account_id IS NOT NULL)`;
const API_SELECT = `SELECT ${COLUMNS}, s.reblog_of_id, a.discoverable AS account_discoverable,
    a.avatar_key AS account_avatar_key, a.header_key AS account_header_key,
    oa.name AS application_name, oa.website AS application_website,
    (SELECT coalesce(json_agg(json_build_object('id', ma.id::text, 'username', ma.username) ORDER BY m.id), '[]'::json)
       FROM mentions m JOIN accounts ma ON ma.id = m.account_id WHERE m.status_id = s.id) AS mentions,
    (SELECT coalesce(json_agg(t.name ORDER BY t.name), '[]'::json)
       FROM statuses_tags st JOIN tags t ON t.id = st.tag_id WHERE st.status_id = s.id) AS tags,
    (SELECT coalesce(json_agg(json_build_object('id', pma.id::text, 'type', pma.type, 'state', pma.state, 'description', pma.description,
        'focus_x', pma.focus_x, 'focus_y', pma.focus_y, 'original_key', pma.original_key, 'small_key', pma.small_key, 'meta', pma.meta,
        'blurhash', pma.blurhash) ORDER BY pma.position), '[]'::json)
       FROM media_attachments pma WHERE pma.status_id = s.id) AS media,
    EXISTS (SELECT 1 FROM favourites f WHERE f.account_id = v.id AND f.status_id = s.id) AS favourited,
    EXISTS (SELECT 1 FROM bookmarks b WHERE b.account_id = v.id AND b.status_id = s.id) AS bookmarked,
    EXISTS (SELECT 1 FROM statuses r WHERE r.account_id = v.id AND r.reblog_of_id = s.id AND r.reblog_of_id IS NOT NULL) AS reblogged
  FROM viewer v CROSS JOIN statuses s JOIN accounts a ON a.id = s.account_id
  LEFT JOIN oauth_applications oa ON oa.id = s.application_id`;
// Who may see a post (src/core/posts/visibility.ts): public and unlisted, else the author, the
// mentioned and, for private posts, followers.
const VISIBLE = `(s.visibility IN ('public', 'unlisted') OR s.account_id = v.id
    OR EXISTS (SELECT 1 FROM mentions vm WHERE vm.status_id = s.id AND vm.account_id = v.id)
    OR (s.visibility = 'private' AND EXISTS (SELECT 1 FROM follows vf WHERE vf.account_id = v.id AND vf.target_account_id = s.account_id)))`;
const API_PUBLIC_SQL = `${VIEWER} ${API_SELECT}
  WHERE s.visibility = 'public' AND s.reblog_of_id IS NULL ORDER BY s.id DESC LIMIT 20`;
const API_ACCOUNT_SQL = `${VIEWER} ${API_SELECT}
  WHERE s.account_id = $2 AND ${VISIBLE} ORDER BY s.id DESC LIMIT 20`;
// The viewer's own posts and those of the accounts it follows (their boosts only where it shows them).
const API_HOME_SQL = `${VIEWER} ${API_SELECT}
  WHERE (s.account_id = v.id OR EXISTS (SELECT 1 FROM follows hf
      WHERE hf.account_id = v.id AND hf.target_account_id = s.account_id AND (s.reblog_of_id IS NULL OR hf.show_reblogs)))
    AND ${VISIBLE}
  ORDER BY s.id DESC LIMIT 20`;

// The Mastodon entities, built as directly as JavaScript allows (Pipit: src/web/api/serializers/).
const PUBLIC_URL = (process.env.BENCH_PUBLIC_URL ?? 'https://pipit.bench.invalid').replace(/\/$/, '');
type Row = Record<string, any>;
const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);
const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const noteHtml = (note: string): string =>
  note.trim() ? note.trim().split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('') : '';

function account(row: Row) {
  const url = `${PUBLIC_URL}/@${row.account_username}`;
  const avatar = row.account_avatar_key ? `${PUBLIC_URL}/media/${row.account_avatar_key}` : `${PUBLIC_URL}/assets/avatar.png`;
  const header = row.account_header_key ? `${PUBLIC_URL}/media/${row.account_header_key}` : `${PUBLIC_URL}/assets/header.png`;
  return {
    id: row.account_id, username: row.account_username, acct: row.account_username, display_name: row.account_display_name,
    locked: row.account_locked, bot: row.account_bot, group: false, discoverable: row.account_discoverable, indexable: false, noindex: false,
    created_at: iso(row.account_created_at), note: noteHtml(row.account_note), url, uri: url,
    avatar, avatar_static: avatar, header, header_static: header,
    followers_count: row.account_followers_count, following_count: row.account_following_count, statuses_count: row.account_statuses_count,
    last_status_at: row.account_last_status_at ? iso(row.account_last_status_at)!.slice(0, 10) : null,
    emojis: [], fields: [], moved: null, suspended: false, limited: false, roles: [],
  };
}

function media(m: Row) {
  const ready = m.state === 'ready';
  return {
    id: m.id, type: m.type,
    url: ready && m.original_key ? `${PUBLIC_URL}/media/${m.original_key}` : null,
    preview_url: ready && m.small_key ? `${PUBLIC_URL}/media/${m.small_key}` : null,
    remote_url: null, preview_remote_url: null, text_url: null,
    meta: { original: ready ? (m.meta?.original ?? null) : null, small: ready ? (m.meta?.small ?? null) : null, focus: { x: m.focus_x, y: m.focus_y } },
    description: m.description || null, blurhash: ready ? m.blurhash : null,
  };
}

function status(row: Row) {
  const url = `${PUBLIC_URL}/@${row.account_username}/${row.id}`;
  return {
    id: row.id, uri: url, url, created_at: iso(row.created_at), edited_at: iso(row.edited_at), account: account(row),
    content: (row.content_html as string).replace(/href="\/(?!\/)/g, `href="${PUBLIC_URL}/`),
    visibility: row.visibility, sensitive: row.sensitive, spoiler_text: row.spoiler_text, language: row.language,
    media_attachments: (row.media as Row[]).map(media),
    mentions: (row.mentions as Row[]).map((m) => ({ id: m.id, username: m.username, url: `${PUBLIC_URL}/@${m.username}`, acct: m.username })),
    tags: (row.tags as string[]).map((name) => ({ name, url: `${PUBLIC_URL}/tags/${encodeURIComponent(name)}` })),
    emojis: [], reblogs_count: row.reblogs_count, favourites_count: row.favourites_count, replies_count: row.replies_count, quotes_count: 0,
    in_reply_to_id: row.in_reply_to_id, in_reply_to_account_id: row.in_reply_to_account_id,
    application: row.application_name === null ? null : { name: row.application_name, website: row.application_website },
    poll: null, card: null, favourited: row.favourited, reblogged: row.reblogged, muted: false, bookmarked: row.bookmarked, pinned: false,
    filtered: [], reblog: null,
  };
}

/** The stored form of the request's bearer token (src/core/oauth/secrets.ts), or undefined without one. */
function tokenDigest(authorization: string | undefined): Buffer | undefined {
  const token = authorization === undefined ? undefined : /^Bearer (\S+)$/.exec(authorization)?.[1];
  return token === undefined ? undefined : createHash('sha256').update(token).digest();
}

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
    // Each statement prepared once per connection, by name, as Pipit prepares its hot statements
    // (src/core/db/prepared.ts): without it PostgreSQL plans these queries on every call, which costs
    // it more CPU than running them, and the baseline would measure planning rather than the least a
    // server must do.
    const names = new Map<string, string>();
    const nameOf = (sql: string) => names.get(sql) ?? (names.set(sql, `baseline_${names.size + 1}`), names.get(sql)!);
    return { query: async (sql, params) => (await pool.query({ name: nameOf(sql), text: sql, values: params })).rows, close: () => pool.end() };
  }
  const dir = process.env.BENCH_BASELINE_PGLITE_DIR;
  if (!dir) throw new Error('Set BENCH_BASELINE_DATABASE_URL or BENCH_BASELINE_PGLITE_DIR');
  const pglite = await PGlite.create(dir, { parsers: { [INT8_OID]: identity } });
  return { query: async (sql, params) => (await pglite.query(sql, params)).rows, close: () => pglite.close() };
}

const db = await openDatabase();
const app = Fastify({ logger: false });
app.get<{ Params: { username: string } }>('/@:username', async (request) =>
  db.query(PROFILE_SQL, [request.params.username.toLowerCase()]),
);
app.get('/', async () => db.query(PUBLIC_SQL, []));
const api = (sql: string, params: (request: FastifyRequest) => unknown[] = () => []) => async (request: FastifyRequest, reply: FastifyReply) => {
  const token = tokenDigest(request.headers.authorization);
  if (!token) return reply.code(401).send({ error: 'The access token is invalid' });
  const rows = (await db.query(sql, [token, ...params(request)])) as Row[];
  return rows.map(status);
};
app.get('/api/v1/timelines/public', api(API_PUBLIC_SQL));
app.get<{ Params: { id: string } }>('/api/v1/accounts/:id/statuses', api(API_ACCOUNT_SQL, (request) => [(request.params as { id: string }).id]));
app.get('/api/v1/timelines/home', api(API_HOME_SQL));

const url = await app.listen({ host: '127.0.0.1', port: 0 });
serveUntilStopped(url, async () => {
  await app.close();
  await db.close();
});
