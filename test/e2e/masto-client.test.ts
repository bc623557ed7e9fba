import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MastoHttpError, createOAuthAPIClient, type mastodon } from 'masto';
import pino from 'pino';
import { buildApp } from '../../src/web/app.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { registerWithMasto, restClient, signUpOnWebsite, tokenWithoutPkce, tokenWithPkce, SCOPES, type MastoApp } from '../helpers/masto.ts';
import { authorize, pkce } from '../helpers/oauth.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

// Issue 8, "a real client": Pipit driven by masto.js, the published Mastodon client library, over a
// real socket (it speaks fetch, not inject). Every step is one an app makes: register, OAuth with and
// without PKCE, then post, reply, favourite, boost, bookmark, follow, read timelines through the
// library's Link-header paginator, notifications, search, instance, delete, and revoke.

// PUBLIC_URL must be the listener's own origin, so the Link headers and URLs point back at it. Both
// backends' suites run one after the other, so they can share the port.
const PORT = await freePort();
const BASE = `http://127.0.0.1:${PORT}`;

/** The pages a masto.js paginator walks, each as masto.js returned it. */
async function pages<T>(paginator: AsyncIterable<T[]>, max = 20): Promise<T[][]> {
  const seen: T[][] = [];
  for await (const page of paginator) {
    seen.push(page);
    assert.ok(seen.length <= max, `the paginator stops (more than ${max} pages)`);
  }
  return seen;
}

const ids = (statuses: readonly { id: string }[]) => statuses.map((s) => s.id);

/** The error masto.js threw, which must be its HTTP error with `statusCode`. */
async function httpError(promise: Promise<unknown>): Promise<MastoHttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof MastoHttpError, `a MastoHttpError, not ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}

forEachBackend(
  'masto.js client',
  (t) => {
    let app: FastifyInstance;
    // The worker runs the bus consumers that make notifications.
    let worker: RunningWorker;
    let registered: MastoApp;
    let alice: { id: string; username: string; token: string; rest: mastodon.rest.Client };
    let bob: { id: string; username: string; token: string; rest: mastodon.rest.Client };
    // Alice's post mentioning Bob, his reply, and the posts made to be paged through.
    let hello: mastodon.v1.Status;
    let reply: mastodon.v1.Status;
    let boost: mastodon.v1.Status;
    before(async () => {
      app = await buildApp(t.core);
      assert.equal(await app.listen({ port: PORT, host: '127.0.0.1' }), BASE);
      worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
    });
    after(async () => {
      await worker?.stop();
      await app?.close();
    });

    it('registers an app with client.v1.apps.create', async () => {
      registered = await registerWithMasto(BASE);
      assert.equal(registered.client.name, 'masto.js e2e');
      assert.equal(registered.client.website, 'https://masto.example');
      assert.deepEqual(registered.client.redirectUris, ['https://masto.example/callback']);
      assert.deepEqual(registered.client.scopes, SCOPES.split(' '));
      const verified = await restClient(BASE, '').v1.apps.verifyCredentials().catch((error: unknown) => error);
      assert.ok(verified instanceof MastoHttpError && verified.statusCode === 401, 'no token, no app credentials');
    });

    it('gets a token with PKCE through masto.js and one without PKCE by a form POST', async () => {
      const a = await signUpOnWebsite(app, 'alice');
      const token = await tokenWithPkce(BASE, a.browser, registered);
      assert.equal(token.tokenType, 'Bearer');
      assert.equal(token.scope, SCOPES);
      assert.ok(Math.abs(token.createdAt - Date.now() / 1000) < 300, `created_at in seconds: ${token.createdAt}`);
      const aliceAccount = await t.core.accounts.getAccountByUsername(a.username);
      alice = { id: aliceAccount.id, username: a.username, token: token.accessToken, rest: restClient(BASE, token.accessToken) };

      const b = await signUpOnWebsite(app, 'bob');
      const plain = await tokenWithoutPkce(BASE, b.browser, registered);
      assert.equal(plain.token_type, 'Bearer');
      assert.equal(plain.scope, SCOPES);
      assert.notEqual(plain.access_token, token.accessToken);
      const bobAccount = await t.core.accounts.getAccountByUsername(b.username);
      bob = { id: bobAccount.id, username: b.username, token: plain.access_token, rest: restClient(BASE, plain.access_token) };

      // The app behind the token, as masto.js reads it.
      const app1 = await alice.rest.v1.apps.verifyCredentials();
      assert.equal(app1.name, 'masto.js e2e');
    });

    it('refuses a PKCE code exchanged with the wrong verifier (masto.js surfaces the 400)', async () => {
      const c = await signUpOnWebsite(app, 'carol');
      const { challenge } = pkce();
      const { code } = await authorize(c.browser, registered.testApp, { scope: SCOPES, code_challenge: challenge, code_challenge_method: 'S256' });
      const params = {
        grantType: 'authorization_code',
        clientId: registered.testApp.client_id,
        clientSecret: registered.testApp.client_secret,
        redirectUri: registered.testApp.redirect_uri,
        code,
        codeVerifier: pkce().verifier,
      } as const;
      const refused = await httpError(createOAuthAPIClient({ url: BASE }).token.create(params));
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.message, 'invalid_grant');
      assert.match(refused.description ?? '', /verifier/i);
    });

    it('verify_credentials, lookup and account fetch agree on who is who', async () => {
      const me = await alice.rest.v1.accounts.verifyCredentials();
      assert.equal(me.id, alice.id);
      assert.equal(me.username, alice.username);
      assert.equal(me.acct, alice.username);
      assert.equal(me.url, `${BASE}/@${alice.username}`);
      assert.equal(me.source.privacy, 'public');
      const found = await alice.rest.v1.accounts.lookup({ acct: bob.username });
      assert.equal(found.id, bob.id);
      const fetched = await alice.rest.v1.accounts.$select(bob.id).fetch();
      assert.equal(fetched.username, bob.username);
      assert.equal(fetched.url, `${BASE}/@${bob.username}`);
    });

    it('follows both ways; relationships say so', async () => {
      const rel = await alice.rest.v1.accounts.$select(bob.id).follow();
      assert.equal(rel.id, bob.id);
      assert.equal(rel.following, true);
      const back = await bob.rest.v1.accounts.$select(alice.id).follow();
      assert.equal(back.following, true);
      assert.equal(back.followedBy, true);
      const [rel2] = await alice.rest.v1.accounts.relationships.fetch({ id: [bob.id] });
      assert.equal(rel2?.id, bob.id);
      assert.equal(rel2?.following, true);
      assert.equal(rel2?.followedBy, true);
      const followers = await pages(alice.rest.v1.accounts.$select(alice.id).followers.list({ limit: 40 }));
      assert.deepEqual(followers.flat().map((a) => a.id), [bob.id]);
    });

    it('posts with a mention and a tag; the text round-trips', async () => {
      const text = `Hello @${bob.username}, this is #MastoJs speaking & <escaping>`;
      hello = await alice.rest.v1.statuses.create({ status: text, visibility: 'public', language: 'en' });
      assert.equal(hello.account.id, alice.id);
      assert.equal(hello.visibility, 'public');
      assert.equal(hello.language, 'en');
      assert.deepEqual(hello.mentions.map((m) => [m.id, m.username, m.acct]), [[bob.id, bob.username, bob.username]]);
      assert.deepEqual(hello.tags.map((tag) => tag.name), ['mastojs']);
      assert.match(hello.content, new RegExp(`href="${BASE}/@${bob.username}"`));
      assert.match(hello.content, /&amp; &lt;escaping&gt;/);
      const source = await alice.rest.v1.statuses.$select(hello.id).source.fetch();
      assert.equal(source.text, text);
      const again = await bob.rest.v1.statuses.$select(hello.id).fetch();
      assert.equal(again.content, hello.content);
      assert.equal(again.uri, hello.uri);
    });

    it('replies, favourites, boosts and bookmarks as Bob; counts and flags follow', async () => {
      reply = await bob.rest.v1.statuses.create({ status: `@${alice.username} hello back`, inReplyToId: hello.id });
      assert.equal(reply.inReplyToId, hello.id);
      assert.equal(reply.inReplyToAccountId, alice.id);
      const faved = await bob.rest.v1.statuses.$select(hello.id).favourite();
      assert.equal(faved.id, hello.id);
      assert.equal(faved.favourited, true);
      assert.equal(faved.favouritesCount, 1);
      boost = await bob.rest.v1.statuses.$select(hello.id).reblog();
      assert.equal(boost.reblog?.id, hello.id);
      assert.equal(boost.reblog?.reblogged, true);
      assert.equal(boost.reblog?.reblogsCount, 1);
      assert.equal(boost.account.id, bob.id);
      const marked = await bob.rest.v1.statuses.$select(hello.id).bookmark();
      assert.equal(marked.bookmarked, true);

      const context = await alice.rest.v1.statuses.$select(hello.id).context.fetch();
      assert.deepEqual(ids(context.ancestors), []);
      assert.deepEqual(ids(context.descendants), [reply.id]);
      const byBob = await alice.rest.v1.statuses.$select(hello.id).fetch();
      assert.equal(byBob.repliesCount, 1);
      assert.equal(byBob.favouritesCount, 1);
      assert.equal(byBob.reblogsCount, 1);
      assert.equal(byBob.favourited, false, 'Alice herself did not favourite it');
      const favouritedBy = await pages(alice.rest.v1.statuses.$select(hello.id).favouritedBy.list());
      assert.deepEqual(favouritedBy.flat().map((a) => a.id), [bob.id]);
      const rebloggedBy = await pages(alice.rest.v1.statuses.$select(hello.id).rebloggedBy.list());
      assert.deepEqual(rebloggedBy.flat().map((a) => a.id), [bob.id]);
      const bookmarks = await pages(bob.rest.v1.bookmarks.list());
      assert.deepEqual(ids(bookmarks.flat()), [hello.id]);
      const favourites = await pages(bob.rest.v1.favourites.list());
      assert.deepEqual(ids(favourites.flat()), [hello.id]);
    });

    it('walks the tag, public and home timelines page by page with the paginator', async (test) => {
      const paged: mastodon.v1.Status[] = [];
      for (let i = 1; i <= 5; i += 1) paged.push(await alice.rest.v1.statuses.create({ status: `page ${i} #Paging` }));
      const newestFirst = ids(paged).reverse();

      const tagPages = await pages(alice.rest.v1.timelines.tag.$select('paging').list({ limit: 2 }));
      assert.deepEqual(ids(tagPages.flat()), newestFirst);
      test.diagnostic(`tag page sizes: ${tagPages.map((p) => p.length).join(', ')}`);
      assert.deepEqual(tagPages.map((p) => p.length).filter((n) => n > 0), [2, 2, 1]);

      // Public: every public post, newest first, boosts left out (as Mastodon's public timeline does).
      const publicPages = await pages(restClient(BASE, '').v1.timelines.public.list({ limit: 3 }));
      assert.deepEqual(ids(publicPages.flat()), [...newestFirst, reply.id, hello.id]);
      assert.ok(publicPages.filter((p) => p.length > 0).length >= 3);

      // Home: Alice's own posts and those of Bob, whom she follows, his boost included.
      const homePages = await pages(alice.rest.v1.timelines.home.list({ limit: 2 }));
      assert.deepEqual(ids(homePages.flat()), [...newestFirst, boost.id, reply.id, hello.id]);
      assert.ok(homePages.filter((p) => p.length > 0).length >= 4);
      const boostSeen = homePages.flat().find((s) => s.id === boost.id);
      assert.equal(boostSeen?.reblog?.id, hello.id);

      // A client that refreshes asks for what is newer than the newest it has (min_id).
      const fresh = await alice.rest.v1.statuses.create({ status: 'fresh #Paging' });
      const newer = await alice.rest.v1.timelines.tag.$select('paging').list({ minId: paged.at(-1)!.id });
      assert.deepEqual(ids(newer), [fresh.id]);
      paged.push(fresh);
    });

    it('lists notifications of each kind, created by the bus', async () => {
      type Kinds = Record<string, mastodon.v1.Notification>;
      let lastSeen: mastodon.v1.Notification[] = [];
      const kinds = await waitFor(
        async () => {
          const list = (await pages(alice.rest.v1.notifications.list({ limit: 2 }))).flat();
          lastSeen = list;
          const byType: Kinds = Object.fromEntries(list.map((n) => [n.type, n]));
          return ['follow', 'mention', 'favourite', 'reblog'].every((k) => byType[k]) && list.length === 4 && byType;
        },
        { what: "Alice's four notifications (follow, mention, favourite, reblog)", describe: () => JSON.stringify(lastSeen.map((n) => [n.type, n.id, n.account.id, n.status?.id])) },
      );
      for (const n of Object.values(kinds)) assert.equal(n.account.id, bob.id, `${n.type} is by Bob`);
      assert.equal(kinds.follow!.status ?? null, null);
      assert.equal(kinds.mention!.status?.id, reply.id);
      assert.equal(kinds.favourite!.status?.id, hello.id);
      assert.equal(kinds.reblog!.status?.id, hello.id);
      const one = await alice.rest.v1.notifications.$select(kinds.mention!.id).fetch();
      assert.equal(one.status?.id, reply.id);
      const mentionsOnly = (await pages(alice.rest.v1.notifications.list({ types: ['mention'] }))).flat();
      assert.deepEqual(mentionsOnly.map((n) => n.id), [kinds.mention!.id]);
      const bobs = await waitFor(async () => (await bob.rest.v1.notifications.list()).filter((n) => n.type === 'mention' && n.status?.id === hello.id), {
        what: "Bob's mention in Alice's post",
      });
      assert.equal(bobs[0]!.account.id, alice.id);
    });

    it('searches accounts (v1 and v2) and hashtags', async () => {
      const found = await alice.rest.v1.accounts.search.list({ q: bob.username, limit: 5 });
      assert.deepEqual(found.map((a) => a.id), [bob.id]);
      const results = await alice.rest.v2.search.list({ q: bob.username, type: 'accounts' });
      assert.deepEqual(results.accounts.map((a) => a.id), [bob.id]);
      assert.deepEqual(results.statuses, []);
      const tags = await alice.rest.v2.search.list({ q: '#paging', type: 'hashtags' });
      assert.deepEqual(tags.hashtags.map((tag) => tag.name), ['paging']);
    });

    it('reads instance v1 and v2 with the limits Pipit enforces', async () => {
      const v2 = await restClient(BASE, '').v2.instance.fetch();
      assert.equal(v2.domain, `127.0.0.1:${PORT}`);
      assert.equal(v2.configuration.statuses.maxCharacters, t.config.maxPostLength);
      assert.equal(v2.configuration.urls.streaming, undefined);
      const v1 = await alice.rest.v1.instance.fetch();
      assert.equal(v1.uri, `127.0.0.1:${PORT}`);
      assert.equal(v1.configuration.statuses.maxCharacters, t.config.maxPostLength);
      assert.ok(v1.stats.userCount >= 3, `three users at least: ${JSON.stringify(v1.stats)}`);
    });

    it('deletes a status: the source comes back, then it is gone (404) and leaves the timelines', async () => {
      const doomed = await alice.rest.v1.statuses.create({ status: 'short-lived #Doomed' });
      const removed = await alice.rest.v1.statuses.$select(doomed.id).remove();
      assert.equal(removed.id, doomed.id);
      assert.equal(removed.text, 'short-lived #Doomed');
      const gone = await httpError(alice.rest.v1.statuses.$select(doomed.id).fetch());
      assert.equal(gone.statusCode, 404);
      assert.deepEqual(await alice.rest.v1.timelines.tag.$select('doomed').list(), []);
    });

    it('revokes the token with masto.js; the next call is a 401', async () => {
      const oauthClient = createOAuthAPIClient({ url: BASE });
      await oauthClient.revoke({ clientId: registered.testApp.client_id, clientSecret: registered.testApp.client_secret, token: alice.token });
      const denied = await httpError(alice.rest.v1.accounts.verifyCredentials());
      assert.equal(denied.statusCode, 401);
      assert.match(denied.message, /token/i);
      // Bob's token, of the same app, still works.
      assert.equal((await bob.rest.v1.accounts.verifyCredentials()).id, bob.id);
    });
  },
  { env: { PUBLIC_URL: BASE, API_RATE_LIMIT: '100000' } },
);
