import type { InjectOptions } from 'fastify';
import fc from 'fast-check';
import qs from 'qs';

// The random requests of test/e2e/api-fuzz.test.ts: what a careless or hostile client may send to a
// route — path parameters, query strings, bodies in any format under any content type, any caller.

export interface FuzzRoute {
  method: string;
  url: string;
}

export interface FuzzPools {
  /** The caller's account id (notifications it causes the victim may come and go). */
  callerId: string;
  /** Ids that exist: posts of the caller, the victim and a third user, accounts, notifications. */
  ids: string[];
  /** The ids of the victim's things among them (its posts, notifications, account): drawn more often. */
  victimIds: string[];
  /** Usernames, hashtags, notification group keys. */
  names: string[];
  /** Addresses of this site (search and webfinger take them): real ones and ones with broken escapes. */
  localUrls: string[];
  /** The caller's bearer tokens by kind. */
  callers: { full: string; narrow: string; revoked: string; app: string };
  /** The caller's website session as a Cookie header (the OAuth pages read it; the API must not). */
  sessionCookie: string;
  /** The caller's own secrets (its client's id and secret, its CSRF token) and the victim's client id. */
  secrets: string[];
  /**
   * Values only bodies carry: the victim's token, which the caller may have seen and may try to revoke
   * with its own client. Never in the query, where `access_token` would make the caller the victim.
   */
  bodyOnly: string[];
}

export interface FuzzRequest {
  inject: InjectOptions & { method: string; url: string; headers: Record<string, string> };
  caller: string;
  /** The caller is a user whose token may write (the full one, in the header or the query). */
  mayWrite: boolean;
  /** The path lies in a scope whose errors are JSON `{"error": …}` (not the website's pages). */
  jsonErrors: boolean;
}

/** The routes the fuzz throws requests at: the API, the OAuth endpoints and pages, discovery. */
export function isFuzzedRoute(route: FuzzRoute): boolean {
  return /^\/(api|oauth|\.well-known|nodeinfo)(\/|\*|$)/.test(route.url);
}

/** The website renders /oauth/authorize (HTML pages); every other fuzzed path answers errors in JSON. */
function hasJsonErrors(path: string): boolean {
  return !path.startsWith('/oauth/authorize');
}

/** `value` without the keys named (at any depth): counts that others' actions move, for instance. */
export function withoutKeys(value: unknown, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutKeys(v, keys));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.has(key)).map(([key, v]) => [key, withoutKeys(v, keys)]));
  return value;
}

// Mastodon's parameter names, the ones clients send to the routes Pipit has and to those it has not.
const QUERY_NAMES = ['limit', 'max_id', 'since_id', 'min_id', 'local', 'remote', 'only_media', 'types[]', 'exclude_types[]', 'types', 'id[]', 'id', 'q', 'type', 'resolve', 'offset', 'following', 'account_id', 'timeline[]', 'timeline', 'exclude_replies', 'exclude_reblogs', 'pinned', 'tagged', 'acct', 'with_suggestions', 'grouped_types[]', 'expand_accounts', 'include_filtered', 'resource', 'rel', 'access_token', 'client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'force_login', 'lang'];
const BODY_NAMES = ['_csrf', 'status', 'in_reply_to_id', 'visibility', 'spoiler_text', 'sensitive', 'language', 'media_ids[]', 'poll', 'scheduled_at', 'display_name', 'note', 'locked', 'bot', 'discoverable', 'source', 'fields_attributes', 'home', 'notifications', 'reblogs', 'notify', 'languages[]', 'client_name', 'redirect_uris', 'scopes', 'website', 'grant_type', 'code', 'client_id', 'client_secret', 'redirect_uri', 'code_verifier', 'token', 'scope', 'decision', 'id', 'limit', 'max_id'];

const weird = fc.constantFrom('', ' ', '0', '-1', '1.5', '1e3', 'NaN', 'null', 'true', 'false', '[]', '{}', '9'.repeat(30), '18446744073709551616', '9223372036854775808', '9223372036854775807', '-9223372036854775809', '9007199254740993', '-0', '0x10', '٣', '𝟙', '\u0000', '\u202e', 'a'.repeat(201), 'é'.repeat(3000), '../../etc/passwd', '@a@b@c', 'https://evil.example/', 'javascript:alert(1)', "'; drop table statuses; --", '%', '%00', '%zz', '__proto__', 'constructor', 'public', 'direct', 'private', 'read', 'write:statuses', 'authorization_code', 'client_credentials', 'password', 'urn:ietf:wg:oauth:2.0:oob', 'S256', 'plain', 'notifications', 'home', 'mention', 'favourite');

function scalar(pools: FuzzPools, inBody: boolean): fc.Arbitrary<string | number | boolean | null> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...pools.ids) },
    { weight: 1, arbitrary: fc.constantFrom(...pools.names, ...pools.secrets, ...(inBody ? pools.bodyOnly : [])) },
    { weight: 1, arbitrary: fc.constantFrom(...pools.localUrls) },
    { weight: 3, arbitrary: weird },
    { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.bigInt().map((b) => Number(b))) },
  );
}

/** A value as a client may send it: a scalar, an array, an object (Rails brackets), nested a little. */
function value(pools: FuzzPools, inBody: boolean): fc.Arbitrary<unknown> {
  const leaf = scalar(pools, inBody);
  return fc.oneof(
    { weight: 5, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(leaf, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('last_read_id', 'privacy', '0', 'name', 'value', 'options', 'expires_in', 'sensitive'), fc.string({ maxLength: 6 })), fc.oneof(leaf, fc.array(leaf, { maxLength: 2 })), { maxKeys: 3 }) },
  );
}

function params(pools: FuzzPools, names: string[], inBody: boolean): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }), value(pools, inBody), { maxKeys: 6 });
}

/** Query strings qs would not write: odd brackets, bad escapes, repeated and empty names. */
const rawQuery = fc.constantFrom(
  'limit=%zz',
  'limit[]=1&limit[]=2',
  'max_id[a][b][c][d][e][f][g]=1',
  'types[0][1][2]=mention',
  'a[[[]]]=1',
  '[]=1',
  '=&=&&',
  'id[]=&id[]=&id[]=',
  '%',
  '%E0%A4%A',
  'q=%C0%AF',
  'q=%FF%FE',
  'timeline[]=home&timeline[][]=x',
  `id[]=${'1,'.repeat(400)}`,
  `limit=${'9'.repeat(400)}`,
  Array.from({ length: 300 }, (_, i) => `k${i}=1`).join('&'),
  'access_token=',
  'access_token[]=a',
  'resource=acct:%00@example.com',
);

function queryString(pools: FuzzPools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant('') },
    { weight: 6, arbitrary: params(pools, QUERY_NAMES, false).map((q) => qs.stringify(q)) },
    { weight: 2, arbitrary: rawQuery },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/[#\s]/g, '')) },
  );
}

/** A path segment: real ids and names, unknown and malformed ones, long ones, escapes good and bad. */
function segment(pools: FuzzPools): fc.Arbitrary<string> {
  const encoded = (a: fc.Arbitrary<string>) => a.map((s) => encodeURIComponent(s));
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pools.victimIds) },
    { weight: 4, arbitrary: fc.constantFrom(...pools.ids) },
    { weight: 2, arbitrary: fc.constantFrom(...pools.names) },
    { weight: 2, arbitrary: fc.constantFrom('1', '0', '-1', '99999999999999', '9'.repeat(19), '9'.repeat(40), '1e3', '1.0', 'abc', 'null', '%20', '+') },
    { weight: 2, arbitrary: fc.constantFrom('..', '.', '%2e%2e', '%2F', '..%2F..%2F', '%', '%zz', '%E0%A4%A', '%C0%AF', '%FF', '%00', '%u0041', '', '@', ';', '%3B', 'a'.repeat(201), 'a'.repeat(5000), '1'.repeat(250)) },
    { weight: 2, arbitrary: encoded(fc.string({ unit: 'grapheme', maxLength: 40 })) },
    { weight: 1, arbitrary: encoded(fc.string({ maxLength: 300 })) },
    { weight: 1, arbitrary: fc.nat({ max: 2000 }).map((n) => 'x'.repeat(n)) },
  );
}

/** Fills `:param`s and a trailing `*` of a route's path. */
function path(url: string, pools: FuzzPools): fc.Arbitrary<string> {
  const parts = url.split(/(:[A-Za-z_]+|\*)/);
  return fc.tuple(...parts.map((part) => (part.startsWith(':') ? segment(pools) : part === '*' ? fc.constantFrom('', '/', '/v1/statuses', '/v1/x/../y', '/%zz', '/token') : fc.constant(part)))).map((p) => p.join(''));
}

function multipart(fields: Record<string, unknown>, boundary: string, file: boolean): string {
  const lines: string[] = [];
  const flat = qs.stringify(fields, { encode: false }).split('&').filter(Boolean);
  for (const pair of flat) {
    const at = pair.indexOf('=');
    lines.push(`--${boundary}`, `Content-Disposition: form-data; name="${pair.slice(0, at)}"`, '', pair.slice(at + 1));
  }
  if (file) lines.push(`--${boundary}`, 'Content-Disposition: form-data; name="file"; filename="a.png"', 'Content-Type: image/png', '', '\u0089PNG garbage');
  lines.push(`--${boundary}--`, '');
  return lines.join('\r\n');
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-16',
  'multipart/form-data; boundary=fuzz',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/mixed; boundary=fuzz',
  'text/plain',
  'text/html',
  'application/xml',
  'application/octet-stream',
  'application/merge-patch+json',
  'image/png',
  '*/*',
  ';;;',
  'application/json, text/plain',
  'APPLICATION/JSON',
];

interface Body {
  payload?: string | Buffer;
  contentType?: string;
}

function body(pools: FuzzPools): fc.Arbitrary<Body> {
  const fields = params(pools, BODY_NAMES, true);
  const contentType = fc.constantFrom(...CONTENT_TYPES);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant({}) },
    { weight: 3, arbitrary: fields.map((f) => ({ payload: JSON.stringify(f), contentType: 'application/json' })) },
    { weight: 3, arbitrary: fields.map((f) => ({ payload: qs.stringify(f), contentType: 'application/x-www-form-urlencoded' })) },
    { weight: 2, arbitrary: fc.tuple(fields, fc.boolean()).map(([f, file]) => ({ payload: multipart(f, 'fuzz', file), contentType: 'multipart/form-data; boundary=fuzz' })) },
    // The right body under the wrong label, and garbage under any.
    { weight: 2, arbitrary: fc.tuple(fields, fc.constantFrom<'json' | 'form' | 'multipart'>('json', 'form', 'multipart'), contentType).map(([f, as, type]) => ({ payload: as === 'json' ? JSON.stringify(f) : as === 'form' ? qs.stringify(f) : multipart(f, 'fuzz', false), contentType: type })) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('{', '[1,2', 'null', '"x"', '[]', '123', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '{"status":{"$gt":""}}', `{"status":${'['.repeat(5000)}${']'.repeat(5000)}}`, `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`, '--fuzz\r\n', '--fuzz--', 'a=1&&&b[=2')), contentType).map(([payload, type]) => ({ payload, contentType: type })) },
    { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 200 }), contentType).map(([bytes, type]) => ({ payload: Buffer.from(bytes), contentType: type })) },
    // Over the body limit (256 KiB), in each format.
    { weight: 1, arbitrary: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=fuzz', 'text/plain').map((type) => ({ payload: huge(type), contentType: type })) },
  );
}

function huge(type: string): string {
  const text = 'x'.repeat(300 * 1024);
  if (type === 'application/json') return JSON.stringify({ status: text });
  if (type.startsWith('multipart')) return multipart({ status: text }, 'fuzz', false);
  return `status=${text}`;
}

interface Caller {
  name: string;
  headers: Record<string, string>;
  /** The token as `?access_token=` (browser clients that cannot set headers, e.g. for streaming). */
  accessToken?: string;
}

function caller(pools: FuzzPools): fc.Arbitrary<Caller> {
  const withToken = (name: keyof FuzzPools['callers']): Caller => ({ name, headers: { authorization: `Bearer ${pools.callers[name]}` } });
  // Mostly a token that gets past authentication, so the request reaches the route's own checks.
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<Caller>({ name: 'none', headers: {} }) },
    { weight: 8, arbitrary: fc.constantFrom('full', 'full', 'full', 'narrow', 'revoked', 'app').map((name) => withToken(name as keyof FuzzPools['callers'])) },
    { weight: 1, arbitrary: fc.constant<Caller>({ name: 'session', headers: { cookie: pools.sessionCookie } }) },
    { weight: 1, arbitrary: fc.constantFrom('full', 'revoked').map((name) => ({ name: `${name} in the query`, headers: {}, accessToken: pools.callers[name as 'full' | 'revoked'] })) },
    { weight: 1, arbitrary: fc.constantFrom('Bearer', 'Bearer ', 'Bearer a b', `Bearer ${'t'.repeat(5000)}`, 'Basic Zm9vOmJhcg==', 'Basic !!!', 'Digest x', 'bearer\u0000x').map((authorization) => ({ name: `garbage ${authorization.slice(0, 12)}`, headers: { authorization } })) },
  );
}

/** Mostly nothing; else what a sloppy client or a probe appends to a path. */
const pathTail = fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('/', '//', '/.', '/..', '%2F', '%00', '.json', ';x=1', '/%zz', `/${'b'.repeat(300)}`) });

/** Headers some routes read: an Idempotency-Key (statuses), an Origin (CORS, the cross-site guard). */
const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'idempotency-key': fc.oneof(fc.constantFrom('same-key', '', ' ', 'k'.repeat(5000)), fc.string({ maxLength: 40 }).map((k) => k.replace(/[^\x21-\x7e]/g, ''))),
    origin: fc.constantFrom('https://evil.example', 'null', 'http://localhost:3000', ''),
  },
  { requiredKeys: [] },
);

/** A method that may change something. */
export function isWrite(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method);
}

/** One random request at one of `routes`. */
export function fuzzRequest(routes: FuzzRoute[], pools: FuzzPools): fc.Arbitrary<FuzzRequest> {
  return fc
    .oneof(
      // Writes first: they are where another's data could change.
      { weight: 2, arbitrary: fc.constantFrom(...routes.filter((r) => isWrite(r.method))) },
      { weight: 1, arbitrary: fc.constantFrom(...routes.filter((r) => !isWrite(r.method))) },
    )
    .chain((route) => fc.record({ route: fc.constant(route), method: fc.oneof({ weight: 9, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') }), path: path(route.url, pools), tail: pathTail, query: queryString(pools), body: body(pools), caller: caller(pools), bodyOnGet: fc.boolean(), extra: extraHeaders }))
    .map(({ route, method, path: routePath, tail, query, body, caller, bodyOnGet, extra }) => {
      const path = routePath + tail;
      // A path no route takes is the 404 of its prefix's scope: JSON under /api, the website's page elsewhere.
      const routed = method === route.method && tail === '';
      const jsonErrors = hasJsonErrors(path) && (routed || /^\/api(\/|$)/.test(path));
      const carriesBody = !['GET', 'HEAD'].includes(method) || bodyOnGet;
      const headers: Record<string, string> = { ...caller.headers, ...extra };
      if (carriesBody && body.contentType !== undefined) headers['content-type'] = body.contentType;
      const fullQuery = [query, caller.accessToken === undefined ? '' : `access_token=${caller.accessToken}`].filter(Boolean).join('&');
      const inject = {
        method,
        url: fullQuery === '' ? path : `${path}?${fullQuery}`,
        headers,
        ...(carriesBody && body.payload !== undefined ? { payload: body.payload } : {}),
      };
      return { inject: inject as FuzzRequest['inject'], caller: caller.name, mayWrite: caller.name.startsWith('full'), jsonErrors };
    });
}
