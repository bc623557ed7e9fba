import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Mastodon, detector, type Entity } from 'megalodon';
import { buildApp } from '../../src/web/app.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { signUpOnWebsite } from '../helpers/masto.ts';
import { decide } from '../helpers/oauth.ts';
import { freePort } from '../helpers/ports.ts';

// Issue 8, "a real client", second library: megalodon (behind Whalebird and others). It first asks
// nodeinfo which software the server is and refuses what it does not know; then the OAuth dance with
// the authorize URL it builds itself, and the everyday calls, over a real socket (it speaks axios).

const PORT = await freePort();
const BASE = `http://127.0.0.1:${PORT}`;
const REDIRECT = 'https://megalodon.example/callback';

/** The HTTP status of megalodon's (axios's) error, or a failure if the call succeeded. */
async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { response?: { status?: number } }).response?.status;
  }
  assert.fail('the call succeeded');
}

/** A posted status (postStatus may also answer a scheduled one, which these tests never ask for). */
function posted(answer: { data: Entity.Status | Entity.ScheduledStatus }): Entity.Status {
  assert.ok('account' in answer.data, `a status, not ${JSON.stringify(answer.data)}`);
  return answer.data;
}

forEachBackend(
  'megalodon client',
  (t) => {
    let app: FastifyInstance;
    let appData: Awaited<ReturnType<Mastodon['registerApp']>>;
    let client: Mastodon;
    let accessToken: string;
    let me: { id: string; username: string };
    before(async () => {
      app = await buildApp(t.core);
      assert.equal(await app.listen({ port: PORT, host: '127.0.0.1' }), BASE);
    });
    after(() => app?.close());

    it('detector() says "mastodon" (nodeinfo upstream)', async () => {
      assert.equal(await detector(BASE), 'mastodon');
    });

    it('registers, authorizes at the URL megalodon builds, and exchanges the code', async () => {
      appData = await new Mastodon(BASE).registerApp('megalodon e2e', { scopes: ['read', 'write', 'follow'], redirect_uris: REDIRECT, website: 'https://megalodon.example' });
      assert.equal(appData.name, 'megalodon e2e');
      assert.equal(appData.redirect_uri, REDIRECT);
      assert.ok(appData.url, 'an authorize URL');
      const authorizeUrl = new URL(appData.url);
      assert.equal(authorizeUrl.origin, BASE);
      assert.equal(authorizeUrl.searchParams.get('client_id'), appData.client_id);

      const person = await signUpOnWebsite(app, 'mega');
      const res = await decide(person.browser, authorizeUrl.pathname + authorizeUrl.search, 'approve');
      assert.equal(res.statusCode, 302, res.body.slice(0, 300));
      const code = new URL(String(res.headers.location)).searchParams.get('code');
      assert.ok(code);
      const token = await new Mastodon(BASE).fetchAccessToken(appData.client_id, appData.client_secret, code, REDIRECT);
      assert.equal(token.token_type, 'Bearer');
      assert.equal(token.scope, 'read write follow');
      accessToken = token.access_token;
      client = new Mastodon(BASE, accessToken);
      me = { id: (await t.core.accounts.getAccountByUsername(person.username)).id, username: person.username };

      const verified = await client.verifyAppCredentials();
      assert.equal(verified.data.name, 'megalodon e2e');
    });

    it('verify_credentials, post, favourite, context and the home timeline by max_id', async () => {
      const account = await client.verifyAccountCredentials();
      assert.equal(account.data.id, me.id);
      assert.equal(account.data.acct, me.username);

      const mine: Entity.Status[] = [];
      for (let i = 1; i <= 3; i += 1) mine.push(posted(await client.postStatus(`megalodon ${i} #Whale`, { visibility: 'public' })));
      assert.deepEqual(mine.map((s) => s.account.id), [me.id, me.id, me.id]);
      assert.deepEqual(mine[0]!.tags.map((tag) => tag.name), ['whale']);
      const reply = posted(await client.postStatus('a reply to myself', { in_reply_to_id: mine[0]!.id }));
      assert.equal(reply.in_reply_to_id, mine[0]!.id);

      const faved = await client.favouriteStatus(mine[1]!.id);
      assert.equal(faved.data.favourited, true);
      assert.equal(faved.data.favourites_count, 1);
      const context = await client.getStatusContext(mine[0]!.id);
      assert.deepEqual(context.data.descendants.map((s) => s.id), [reply.id]);

      // megalodon pages by max_id (it leaves the Link header to the app).
      const first = await client.getHomeTimeline({ limit: 2 });
      assert.deepEqual(first.data.map((s) => s.id), [reply.id, mine[2]!.id]);
      const second = await client.getHomeTimeline({ limit: 2, max_id: first.data.at(-1)!.id });
      assert.deepEqual(second.data.map((s) => s.id), [mine[1]!.id, mine[0]!.id]);
      const tag = await client.getTagTimeline('whale', { limit: 40 });
      assert.deepEqual(tag.data.map((s) => s.id), mine.map((s) => s.id).reverse());
    });

    it('instance, lookup and search', async () => {
      const instance = await client.getInstance();
      assert.equal(instance.data.uri, `127.0.0.1:${PORT}`);
      assert.equal(instance.data.configuration.statuses.max_characters, t.config.maxPostLength);
      const found = await client.lookupAccount(me.username);
      assert.equal(found.data.id, me.id);
      const search = await client.searchAccount(me.username);
      assert.deepEqual(search.data.map((a) => a.id), [me.id]);
    });

    it('deletes a status, then revokes the token: 404, then 401', async () => {
      const doomed = posted(await client.postStatus('gone soon', {}));
      await client.deleteStatus(doomed.id);
      assert.equal(await statusOf(client.getStatus(doomed.id)), 404);
      await new Mastodon(BASE).revokeToken(appData.client_id, appData.client_secret, accessToken);
      assert.equal(await statusOf(client.verifyAccountCredentials()), 401);
    });
  },
  { env: { PUBLIC_URL: BASE, API_RATE_LIMIT: '100000' } },
);
