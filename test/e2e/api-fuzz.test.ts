import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions, RouteOptions } from 'fastify';
import fc from 'fast-check';
import pino from 'pino';
import { startWorker } from '../../src/worker/worker.ts';
import { buildApp } from '../../src/web/app.ts';
import { anotherToken, apiUser, type ApiUser } from '../helpers/api-user.ts';
import { appToken } from '../helpers/api-user.ts';
import { uniqueIp } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { bearer, registerApp, type TestApp } from '../helpers/oauth.ts';
import { waitForQueuesDrained } from '../helpers/wait.ts';
import { fuzzRequest, isFuzzedRoute, isWrite, type FuzzPools, type FuzzRequest, type FuzzRoute, withoutKeys } from '../helpers/api-fuzz.ts';

// Random requests at every route of the API, the OAuth endpoints and discovery — the list comes from the
// app itself (buildApp's onRoute), so a new route is fuzzed without anyone adding it here. Each request
// has random path parameters, query, body, content type and caller (none, a full token, a narrow one, a
// revoked one, an app token, a website session, garbage), sometimes another method or a path tail. The
// property: never a 5xx; an error of a JSON scope is our `{"error": …}` and says what to fix; no answer
// carries the text of a post the caller may not see; nothing changes through the API without a user's
// write token; and the data of another user (the victim: posts, favourites, bookmarks, follows,
// markers, notifications, its token) is exactly as it was. A failure prints fast-check's seed and the
// shrunk request; PIPIT_FUZZ_RUNS runs more (the default keeps the file well under a minute).

const RUNS = Number(process.env.PIPIT_FUZZ_RUNS ?? 250);
const SECRET = 'zq-secret-direct-words';
/** What the caller may change about the victim: its follower count, its posts' favourites, reblogs and replies. */
const MOVED_BY_OTHERS = new Set(['followers_count', 'favourites_count', 'reblogs_count', 'replies_count']);
const NOTIFICATION_QUEUES = ['notify-mentions', 'notify-follow', 'notify-favourite', 'notify-reblog'];

interface Victim {
  user: ApiUser;
  postIds: string[];
}

forEachBackend(
  'API fuzz: random requests at every endpoint',
  (t) => {
    let app: FastifyInstance;
    const routes: FuzzRoute[] = [];
    let victim: Victim;
    let pools: FuzzPools;
    /** The victim's own ids by the path they belong in (its posts for /statuses/:id, …). */
    let victimIdsByPrefix: [string, string[]][];
    let victimBefore: unknown;
    const mutations: string[] = [];

    /** As the victim, whatever the caller must not be able to change (counts others may move are left out). */
    async function victimSnapshot(): Promise<unknown> {
      const get = async (url: string) => {
        const res = await app.inject({ url, headers: bearer(victim.user.token), remoteAddress: uniqueIp() });
        assert.equal(res.statusCode, 200, `${url} as the victim: ${res.body.slice(0, 300)}`);
        return res.json() as unknown;
      };
      const vid = victim.user.account.id;
      const callerIds = new Set([pools.callerId]);
      const notifications = (await get('/api/v1/notifications?limit=80')) as { id: string; account: { id: string } }[];
      return withoutKeys({
        me: await get('/api/v1/accounts/verify_credentials'),
        posts: await get(`/api/v1/statuses?${victim.postIds.map((id) => `id[]=${id}`).join('&')}`),
        timeline: ((await get(`/api/v1/accounts/${vid}/statuses?limit=40`)) as { id: string }[]).map((s) => s.id),
        favourites: ((await get('/api/v1/favourites?limit=40')) as { id: string }[]).map((s) => s.id),
        bookmarks: ((await get('/api/v1/bookmarks?limit=40')) as { id: string }[]).map((s) => s.id),
        following: ((await get(`/api/v1/accounts/${vid}/following?limit=80`)) as { id: string }[]).map((a) => a.id),
        markers: await get('/api/v1/markers?timeline[]=home&timeline[]=notifications'),
        // The caller may add notifications (follow, favourite, mention); none of the others may go.
        notifications: notifications.filter((n) => !callerIds.has(n.account.id)).map((n) => n.id),
      }, MOVED_BY_OTHERS);
    }

    before(async () => {
      app = await buildApp(t.core, { onRoute: (route: RouteOptions) => routes.push(...[route.method].flat().map((method) => ({ method, url: route.url }))) });
      const post = async (user: ApiUser, payload: Record<string, unknown>) => {
        const res = await app.inject({ method: 'POST', url: '/api/v1/statuses', headers: bearer(user.token), payload, remoteAddress: uniqueIp() });
        assert.equal(res.statusCode, 200, res.body);
        return (res.json() as { id: string }).id;
      };
      const act = async (user: ApiUser, url: string, payload?: Record<string, unknown>) => {
        const res = await app.inject({ method: 'POST', url, headers: bearer(user.token), ...(payload ? { payload } : {}), remoteAddress: uniqueIp() });
        assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      };

      // The worker makes the notifications of the setup, then stops: what the caller's requests enqueue
      // would only notify from the caller, which the snapshot leaves out anyway.
      const worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      const carol = await apiUser(app, t.core, { prefix: 'carol' });
      const victimClient = await registerApp(app);
      const vic = await apiUser(app, t.core, { prefix: 'vic', client: victimClient });
      const callerClient: TestApp = await registerApp(app, { scopes: 'read write follow push profile' });
      const caller = await apiUser(app, t.core, { prefix: 'mal', client: callerClient, scope: 'read write follow push profile' });

      // The victim's world: posts of every visibility, a reply, a follow each way, favourites,
      // bookmarks, notifications from someone else, markers.
      const carolPost = await post(carol, { status: 'carol says hello #pipit' });
      const vicPublic = await post(vic, { status: 'victim in public #pipit' });
      const postIds = [
        vicPublic,
        await post(vic, { status: 'victim unlisted', visibility: 'unlisted' }),
        await post(vic, { status: 'victim to followers', visibility: 'private' }),
        await post(vic, { status: `@${carol.account.username} ${SECRET}`, visibility: 'direct' }),
        await post(vic, { status: 'victim replies', in_reply_to_id: carolPost }),
      ];
      const callerPost = await post(caller, { status: 'caller posts' });
      await act(vic, `/api/v1/accounts/${carol.account.id}/follow`);
      await act(carol, `/api/v1/accounts/${vic.account.id}/follow`);
      await act(vic, `/api/v1/statuses/${carolPost}/favourite`);
      await act(vic, `/api/v1/statuses/${vicPublic}/favourite`);
      await act(vic, `/api/v1/statuses/${carolPost}/bookmark`);
      await act(carol, `/api/v1/statuses/${vicPublic}/favourite`);
      await act(carol, `/api/v1/statuses/${vicPublic}/reblog`);
      await act(vic, '/api/v1/markers', { home: { last_read_id: carolPost } });
      await post(carol, { status: `@${vic.account.username} @${caller.account.username} hello both` });
      await act(carol, `/api/v1/statuses/${callerPost}/favourite`);
      await waitForQueuesDrained(t.core, NOTIFICATION_QUEUES);
      await worker.stop();
      victim = { user: vic, postIds };

      const revocable = await anotherToken(app, caller, 'read write', callerClient);
      const revoked = await app.inject({ method: 'POST', url: '/oauth/revoke', payload: { client_id: callerClient.client_id, client_secret: callerClient.client_secret, token: revocable }, remoteAddress: uniqueIp() });
      assert.equal(revoked.statusCode, 200, revoked.body);
      const notificationIds = async (user: ApiUser) => ((await app.inject({ url: '/api/v1/notifications', headers: bearer(user.token) })).json() as { id: string }[]).map((n) => n.id);
      const groupKeys = ((await app.inject({ url: '/api/v2/notifications', headers: bearer(vic.token) })).json() as { notification_groups: { group_key: string }[] }).notification_groups.map((g) => g.group_key);

      const victimNotifications = await notificationIds(vic);
      victimIdsByPrefix = [
        ['/api/v1/statuses/', postIds],
        ['/api/v1/accounts/', [vic.account.id]],
        ['/api/v1/notifications/', victimNotifications],
        ['/api/v2/notifications/', groupKeys],
      ];
      pools = {
        callerId: caller.account.id,
        ids: [...postIds, carolPost, callerPost, vic.account.id, carol.account.id, caller.account.id, ...victimNotifications, ...(await notificationIds(caller))],
        victimIds: [...postIds, vic.account.id, ...victimNotifications],
        names: [vic.account.username, caller.account.username, 'pipit', ...groupKeys],
        localUrls: [
          `${t.config.publicUrl}/@${vic.account.username}`,
          `${t.config.publicUrl}/@${vic.account.username}/${postIds[0]}`,
          `${t.config.publicUrl}/tags/pipit`,
          `${t.config.publicUrl}/@%E0%A4%A`,
          `${t.config.publicUrl}/tags/%zz`,
          `${t.config.publicUrl}/@${vic.account.username}/%zz`,
        ],
        callers: {
          full: caller.token,
          narrow: await anotherToken(app, caller, 'read:statuses', callerClient),
          revoked: revocable,
          app: await appToken(app, callerClient),
        },
        sessionCookie: [...caller.browser.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        // Secrets the caller knows (its own client) and values it may guess or have seen (the victim's
        // client id, the victim's token in a revocation body) — never the victim's client secret.
        secrets: [callerClient.client_id, callerClient.client_secret, victimClient.client_id, callerClient.redirect_uri, caller.browser.csrfToken ?? ''],
        bodyOnly: [vic.token],
      };
      routes.splice(0, routes.length, ...routes.filter(isFuzzedRoute));
      victimBefore = await victimSnapshot();
      const before = victimBefore as { notifications: string[]; posts: unknown[] };
      assert.ok(before.notifications.length >= 3 && before.posts.length === victim.postIds.length, 'the victim has notifications and posts to lose');
    });
    after(() => app?.close());

    it('enumerates the routes from the app (the API, OAuth, discovery)', () => {
      const urls = new Set(routes.map((r) => `${r.method} ${r.url}`));
      for (const expected of ['GET /api/v1/statuses/:id', 'POST /oauth/token', 'GET /.well-known/webfinger', 'GET /nodeinfo/2.0', 'POST /api/v1/apps', 'GET /oauth/authorize']) {
        assert.ok(urls.has(expected), `${expected} among ${[...urls].join(', ')}`);
      }
      assert.ok(!urls.has('GET /livez') && !urls.has('POST /auth/sign_in'), 'only the API, OAuth and discovery');
    });

    it('never a 5xx, errors in JSON, nothing hidden shown, nothing of the victim changed', async (ctx) => {
      const statuses = new Map<number, number>();
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(fuzzRequest(routes, pools), async (req: FuzzRequest) => {
          const res = await app.inject({ ...(req.inject as InjectOptions), remoteAddress: uniqueIp() });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          const what = `${req.inject.method} ${req.inject.url} [${req.caller}] ${String(req.inject.headers?.['content-type'] ?? '')} → ${res.statusCode} ${res.body.slice(0, 300)}`;
          assert.ok(res.statusCode < 500, what);
          if (req.jsonErrors && res.statusCode >= 400 && req.inject.method !== 'HEAD') {
            assert.match(String(res.headers['content-type']), /^application\/json/, what);
            const error = res.json() as Record<string, unknown>;
            // Ours, not a framework's (which adds `code`, `message`, `statusCode`): Mastodon's `error`, OAuth's `error_description`.
            assert.equal(typeof error.error, 'string', what);
            assert.deepEqual(Object.keys(error).filter((key) => key !== 'error' && key !== 'error_description'), [], what);
            // A refusal says what to fix, not only that something was wrong.
            assert.doesNotMatch(String(error.error_description ?? error.error), /could not be understood|does not accept that content type/, what);
          }
          assert.ok(!res.body.includes(SECRET), `a direct post of the victim shown to the caller: ${what}`);
          // Only a user's token with write scopes changes anything through the API (registering an app excepted).
          const path = req.inject.url.split('?')[0]!;
          if (!req.mayWrite && isWrite(req.inject.method) && path.startsWith('/api/') && !path.startsWith('/api/v1/apps')) {
            assert.ok(res.statusCode >= 400, `a change without a user's write token: ${what}`);
          }
          if (isWrite(req.inject.method) && res.statusCode < 400) {
            mutations.push(what.slice(0, 200));
            assert.deepEqual(await victimSnapshot(), victimBefore, `the victim's data changed after ${what}`);
          }
        }),
        { numRuns: RUNS },
      );
      const answers = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
      ctx.diagnostic(`${RUNS} runs in ${Date.now() - started} ms, answers: ${answers.join(' ')} (PIPIT_FUZZ_RUNS sets the number of runs)`);
    });

    it("every write at every one of the victim's ids, with the caller's full token, is refused or leaves the victim's data alone", async () => {
      // Random draws reach a given route and id rarely; here each pair is tried once, with an empty JSON body
      // (the property mixes kinds of ids; here a route gets the kind it takes). One comparison at the end,
      // naming the writes that succeeded, keeps it quick.
      const writes = routes.filter((r) => isWrite(r.method) && /:\w/.test(r.url));
      const succeeded: string[] = [];
      for (const route of writes) {
        for (const id of victimIdsByPrefix.find(([prefix]) => route.url.startsWith(prefix))?.[1] ?? pools.victimIds) {
          const url = route.url.replace(/:\w+/g, id);
          const res = await app.inject({ method: route.method as InjectOptions['method'], url, headers: { ...bearer(pools.callers.full), 'content-type': 'application/json' }, payload: '{}', remoteAddress: uniqueIp() });
          const what = `${route.method} ${url} → ${res.statusCode} ${res.body.slice(0, 200)}`;
          assert.ok(res.statusCode < 500, what);
          if (res.statusCode < 400) succeeded.push(what.slice(0, 120));
        }
      }
      assert.deepEqual(await victimSnapshot(), victimBefore, `the victim's data changed after one of:\n${succeeded.join('\n')}`);
    });

    // What the property found, each as the exact request that showed it (fixed in src/web/framework-errors.ts,
    // src/web/api/cors.ts, src/web/shared/error-table.ts' BadRequest and the 415 message of body-parsing.ts).
    describe('found by the property', () => {
      const errorOf = (res: { headers: Record<string, unknown>; json: () => unknown }) => {
        assert.match(String(res.headers['content-type']), /^application\/json/);
        return res.json();
      };

      it('a path parameter over 200 characters is an unknown record (404, our JSON), not the router\'s 414', async () => {
        for (const url of [`/api/v1/accounts/${'a'.repeat(201)}`, `/api/v1/statuses/${'1'.repeat(250)}/context`, `/api/v1/timelines/tag/${'x'.repeat(5000)}`]) {
          const res = await app.inject({ url, headers: bearer(pools.callers.full) });
          assert.equal(res.statusCode, 404, url.slice(0, 40));
          assert.deepEqual(errorOf(res), { error: 'Record not found' });
          assert.ok(res.headers['x-request-id'], 'the request id is echoed even though no hook ran');
        }
      });

      it('a malformed percent-encoding in the path is a 400 saying how to encode, in the format of the scope the path is in', async () => {
        const api = await app.inject({ url: '/api/v1/statuses/%zz' });
        assert.equal(api.statusCode, 400);
        assert.match((errorOf(api) as { error: string }).error, /%C3%A9/);
        assert.deepEqual(Object.keys(errorOf(api) as object), ['error']);

        const discovery = await app.inject({ url: '/.well-known/%E0%A4%A' });
        assert.equal(discovery.statusCode, 400);
        assert.deepEqual(Object.keys(errorOf(discovery) as object), ['error']);

        const oauth = await app.inject({ method: 'POST', url: '/oauth/token%zz' });
        assert.equal(oauth.statusCode, 400);
        assert.equal((errorOf(oauth) as { error: string }).error, 'invalid_request');
        assert.match((errorOf(oauth) as { error_description: string }).error_description, /%C3%A9/);

        const page = await app.inject({ url: '/@%zz' });
        assert.equal(page.statusCode, 400);
        assert.match(String(page.headers['content-type']), /^text\/html/);
        assert.match(page.body, /Request id/);
      });

      it('a long path parameter on the website is its not-found page', async () => {
        const res = await app.inject({ url: `/@${'a'.repeat(201)}` });
        assert.equal(res.statusCode, 404);
        assert.match(String(res.headers['content-type']), /^text\/html/);
      });

      it('an unreadable body on the OAuth endpoints says why, as it does on the API (not the generic 400 text)', async () => {
        const token = await app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: '{' });
        assert.equal(token.statusCode, 400);
        assert.deepEqual(errorOf(token), { error: 'invalid_request', error_description: 'The body is not valid JSON.' });

        const apps = await app.inject({ method: 'POST', url: '/api/v1/apps', headers: { 'content-type': 'multipart/form-data' }, payload: '[1,2' });
        assert.equal(apps.statusCode, 400);
        assert.deepEqual(errorOf(apps), { error: 'The multipart body could not be read: check its boundary and parts.' });
      });

      it('a body of a content type the API does not read gets 415 naming the ones it does', async () => {
        const api = await app.inject({ method: 'POST', url: '/api/v1/statuses', headers: { ...bearer(pools.callers.full), 'content-type': 'application/xml' }, payload: '<status>hi</status>' });
        assert.equal(api.statusCode, 415);
        assert.match((errorOf(api) as { error: string }).error, /application\/json.*application\/x-www-form-urlencoded.*multipart\/form-data/);

        const revoke = await app.inject({ method: 'POST', url: '/oauth/revoke', headers: { 'content-type': 'application/xml' }, payload: '<token/>' });
        assert.equal(revoke.statusCode, 415);
        assert.match((errorOf(revoke) as { error_description: string }).error_description, /application\/json/);
      });

      it('an OPTIONS that is no preflight (no Origin, no Access-Control-Request-Method) gets 204, not a text/plain 400', async () => {
        const res = await app.inject({ method: 'OPTIONS', url: '/api?limit=%zz', headers: bearer(pools.callers.full) });
        assert.equal(res.statusCode, 204, res.body);
        assert.equal(res.headers['access-control-allow-origin'], '*');
      });
    });

    it("the victim's data is as it was", async () => {
      assert.deepEqual(await victimSnapshot(), victimBefore, `changed by one of: ${mutations.join('\n')}`);
    });
  },
  { env: { API_RATE_LIMIT: '1000000' } },
);
