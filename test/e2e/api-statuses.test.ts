import assert from 'node:assert/strict';
import { before, after, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { STATUS_KEYS as SCHEMA_KEYS } from '../../src/web/api/serializers/status.ts';
import { ACCOUNT_KEYS, STATUS_KEYS, assertStatusShape } from '../helpers/mastodon-entities.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { apiUser, appToken, call, type ApiUser } from '../helpers/api-user.ts';
import { registerApp, type TestApp } from '../helpers/oauth.ts';

// POST/GET/DELETE /api/v1/statuses over HTTP with tokens from the real OAuth dance: the entity complete
// to the key, content identical to the website's with absolute links, scopes, visibility, bad input.

type Json = Record<string, any>;

forEachBackend('API statuses', (t) => {
  let app: FastifyInstance;
  let client: TestApp;
  let alice: ApiUser;
  let bob: ApiUser;
  let publicUrl: string;
  before(async () => {
    app = await buildApp(t.core);
    client = await registerApp(app);
    alice = await apiUser(app, t.core, { client, prefix: 'alice' });
    bob = await apiUser(app, t.core, { client, prefix: 'bob' });
    publicUrl = t.config.publicUrl;
  }, { timeout: 60_000 });
  after(async () => {
    await app?.close();
  });

  const post = async (user: ApiUser, payload: Json, headers: Record<string, string> = {}) => {
    const res = await call(app, 'POST', '/api/v1/statuses', { token: user.token, payload, headers });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Json;
  };

  it('the serializer schema names every documented key', () => {
    assert.deepEqual([...SCHEMA_KEYS].sort(), [...STATUS_KEYS].sort());
  });

  it('POST answers a complete Status; GET gives the same; content equals the website with absolute links', async () => {
    const s = await post(alice, { status: `Hello @${bob.username} and #Pipit https://example.com/a`, spoiler_text: 'cw', language: 'en' });
    assertStatusShape(s);
    assert.equal(s.visibility, 'public');
    assert.equal(s.spoiler_text, 'cw');
    assert.equal(s.sensitive, true, 'a content warning makes a post sensitive');
    assert.equal(s.language, 'en');
    assert.equal(s.account.id, alice.id);
    assert.deepEqual(s.application, { name: 'Test client', website: null }, 'the app that posted');
    assert.equal(s.url, `${publicUrl}/@${alice.username}/${s.id}`);
    assert.deepEqual(s.mentions, [{ id: bob.id, username: bob.username, url: `${publicUrl}/@${bob.username}`, acct: bob.username }]);
    assert.deepEqual(s.tags, [{ name: 'pipit', url: `${publicUrl}/tags/pipit` }]);
    assert.ok(s.content.includes(`<span class="h-card"><a href="${s.mentions[0]!.url}" class="u-url mention">@<span>${bob.username}</span></a></span>`), s.content);
    assert.ok(s.content.includes(`<a href="${publicUrl}/tags/pipit" class="mention hashtag" rel="tag">#<span>Pipit</span></a>`), s.content);
    assert.ok(!/href="\//.test(s.content), 'no root-relative link left');

    const page = await app.inject({ url: `/@${alice.username}/${s.id}` });
    assert.equal(page.statusCode, 200);
    const website = /<div class="post-content"[^>]*>([\s\S]*?)<\/div>/.exec(page.body)?.[1];
    assert.ok(website, 'the post page shows the content');
    assert.equal(s.content, website.replace(/href="\//g, `href="${publicUrl}/`));

    const got = await call(app, 'GET', `/api/v1/statuses/${s.id}`);
    assert.equal(got.statusCode, 200);
    assertStatusShape(got.json());
    assert.deepEqual(got.json(), s);

    const fromWebsite = await alice.browser.postStatus('posted on the website');
    assert.ok(fromWebsite.statusCode < 400, fromWebsite.body.slice(0, 300));
    const latest = (await call(app, 'GET', `/api/v1/accounts/${alice.id}/statuses?limit=1`)).json()[0];
    assert.equal(latest.content, '<p>posted on the website</p>');
    assert.equal(latest.application, null, 'the website is no app');
  });

  it('scopes: no token 401, a read token 403, an app token 422; invalid token on a public route 401', async () => {
    const none = await call(app, 'POST', '/api/v1/statuses', { payload: { status: 'x' } });
    assert.equal(none.statusCode, 401);
    assert.deepEqual(none.json(), { error: 'The access token is invalid' });
    const read = await call(app, 'POST', '/api/v1/statuses', { token: await alice.tokenFor('read'), payload: { status: 'x' } });
    assert.equal(read.statusCode, 403);
    assert.deepEqual(read.json(), { error: 'This action is outside the authorized scopes' });
    const appOnly = await call(app, 'POST', '/api/v1/statuses', { token: await appToken(app, client), payload: { status: 'x' } });
    assert.equal(appOnly.statusCode, 422);
    assert.deepEqual(appOnly.json(), { error: 'This method requires an authenticated user' });
    const s = await post(alice, { status: 'scoped' });
    assert.equal((await call(app, 'GET', `/api/v1/statuses/${s.id}`, { token: 'nope'.repeat(10) })).statusCode, 401);
    assert.equal((await call(app, 'GET', `/api/v1/statuses/${s.id}`, { token: await alice.tokenFor('write') })).statusCode, 403, 'a token must hold read:statuses');
    assert.equal((await call(app, 'GET', `/api/v1/statuses/${s.id}`, { token: await alice.tokenFor('read:statuses') })).statusCode, 200);
    const granular = await alice.tokenFor('write:favourites');
    assert.equal((await call(app, 'POST', `/api/v1/statuses/${s.id}/favourite`, { token: granular })).statusCode, 200);
    assert.equal((await call(app, 'POST', `/api/v1/statuses/${s.id}/bookmark`, { token: granular })).statusCode, 403);
    assert.equal((await call(app, 'POST', `/api/v1/statuses/${s.id}/reblog`, { token: granular })).statusCode, 403);
  });

  it('a private post: 404 for a stranger and anonymous, 200 for a follower and the author', async () => {
    const s = await post(alice, { status: 'followers only', visibility: 'private' });
    assert.equal(s.visibility, 'private');
    const stranger = await call(app, 'GET', `/api/v1/statuses/${s.id}`, { token: bob.token });
    assert.equal(stranger.statusCode, 404);
    assert.deepEqual(stranger.json(), { error: 'Record not found' });
    assert.equal((await call(app, 'GET', `/api/v1/statuses/${s.id}`)).statusCode, 404);
    assert.equal((await call(app, 'GET', `/api/v1/statuses/${s.id}/context`, { token: bob.token })).statusCode, 404);
    assert.equal((await call(app, 'POST', `/api/v1/statuses/${s.id}/favourite`, { token: bob.token })).statusCode, 404);
    await t.core.follows.follow(bob.id, alice.id);
    const follower = await call(app, 'GET', `/api/v1/statuses/${s.id}`, { token: bob.token });
    assert.equal(follower.statusCode, 200);
    assert.equal(follower.json().id, s.id);
    assert.equal((await call(app, 'GET', `/api/v1/statuses/${s.id}`, { token: alice.token })).statusCode, 200);
  });

  it('GET /api/v1/statuses?id[]= answers the visible ones, in the order asked', async () => {
    const a = await post(alice, { status: 'first of many' });
    const b = await post(alice, { status: 'second of many' });
    const hidden = await post(alice, { status: 'not for bob', visibility: 'direct' });
    const res = await call(app, 'GET', `/api/v1/statuses?id[]=${b.id}&id[]=${hidden.id}&id[]=abc&id[]=99999999&id[]=${a.id}&id[]=${b.id}`, { token: bob.token });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((res.json() as Json[]).map((s) => s.id), [b.id, a.id]);
    (res.json() as Json[]).forEach(assertStatusShape);
    assert.deepEqual((await call(app, 'GET', `/api/v1/statuses?id=${a.id}`)).json().map((s: Json) => s.id), [a.id]);
    assert.deepEqual((await call(app, 'GET', '/api/v1/statuses')).json(), []);
    const tooMany = Array.from({ length: 21 }, (_, i) => `id[]=${i + 1}`).join('&');
    assert.equal((await call(app, 'GET', `/api/v1/statuses?${tooMany}`)).statusCode, 422);
  });

  it('malformed and unknown ids are 404 Record not found on every route', async () => {
    for (const id of ['abc', '-1', '1e5', '99999999999999999', '1'.repeat(40), '%00']) {
      for (const [method, suffix] of [['GET', ''], ['GET', '/context'], ['GET', '/source'], ['DELETE', ''], ['POST', '/favourite'], ['POST', '/reblog'], ['POST', '/bookmark'], ['GET', '/favourited_by'], ['GET', '/reblogged_by'], ['POST', '/pin']] as const) {
        const res = await call(app, method, `/api/v1/statuses/${id}${suffix}`, { token: alice.token });
        assert.equal(res.statusCode, 404, `${method} ${id}${suffix}: ${res.body}`);
        assert.deepEqual(res.json(), { error: 'Record not found' });
      }
    }
  });

  it('bad input is a 422 naming what to fix', async () => {
    const cases: [Json, RegExp][] = [
      [{ status: 'x'.repeat(501) }, /500 characters/],
      [{ status: '' }, /Write something/],
      [{}, /Write something/],
      [{ status: 'x', visibility: 'everyone' }, /Visibility must be one of/],
      [{ status: 'x', spoiler_text: 'y'.repeat(501) }, /Content warnings/],
      [{ status: 'x', media_ids: ['1'] }, /media_ids: 1 is not one of your uploads/],
      [{ status: 'x', poll: { options: ['a', 'b'], expires_in: 600 } }, /polls are not supported/],
      [{ status: 'x', language: 'english!' }, /Language/],
      [{ status: { nested: true } }, /status must be text/],
      [{ status: 'x', in_reply_to_id: 'abc' }, /in_reply_to_id/],
      [{ status: 'x', in_reply_to_id: 2 ** 60 }, /in_reply_to_id must be an id sent as a string/],
      [{ status: 'x', sensitive: 'maybe' }, /sensitive must be true or false/],
    ];
    for (const [payload, message] of cases) {
      const res = await call(app, 'POST', '/api/v1/statuses', { token: alice.token, payload });
      assert.equal(res.statusCode, 422, `${JSON.stringify(payload).slice(0, 80)}: ${res.body}`);
      assert.match(res.json().error, /^Validation failed: /);
      assert.match(res.json().error, message);
    }
    const missingParent = await call(app, 'POST', '/api/v1/statuses', { token: alice.token, payload: { status: 'x', in_reply_to_id: '123456789' } });
    assert.equal(missingParent.statusCode, 404);
    const array = await call(app, 'POST', '/api/v1/statuses', { token: alice.token, payload: ['x'] });
    assert.equal(array.statusCode, 422);
  });

  it('form bodies and Rails brackets work as clients send them; an empty media_ids[] is fine', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/statuses',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'status=from+a+form&visibility=unlisted&sensitive=1&media_ids[]=',
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().visibility, 'unlisted');
    assert.equal(res.json().sensitive, true);
  });

  it('a reply: in_reply_to ids, context, replies_count', async () => {
    const parent = await post(alice, { status: 'parent' });
    const reply = await post(bob, { status: `@${alice.username} child`, in_reply_to_id: parent.id });
    assert.equal(reply.in_reply_to_id, parent.id);
    assert.equal(reply.in_reply_to_account_id, alice.id);
    const context = await call(app, 'GET', `/api/v1/statuses/${reply.id}/context`);
    assert.equal(context.statusCode, 200);
    assert.deepEqual(context.json().ancestors.map((s: Json) => s.id), [parent.id]);
    assert.deepEqual(context.json().descendants, []);
    const down = await call(app, 'GET', `/api/v1/statuses/${parent.id}/context`, { token: alice.token });
    assert.deepEqual(down.json().descendants.map((s: Json) => s.id), [reply.id]);
    down.json().descendants.forEach(assertStatusShape);
    assert.equal((await call(app, 'GET', `/api/v1/statuses/${parent.id}`)).json().replies_count, 1);
  });

  it('source and DELETE: the owner gets the Status with its text; anyone else cannot delete', async () => {
    const s = await post(alice, { status: 'to be #deleted', spoiler_text: 'warn' });
    const source = await call(app, 'GET', `/api/v1/statuses/${s.id}/source`, { token: alice.token });
    assert.deepEqual(source.json(), { id: s.id, text: 'to be #deleted', spoiler_text: 'warn' });
    const notMine = await call(app, 'DELETE', `/api/v1/statuses/${s.id}`, { token: bob.token });
    assert.equal(notMine.statusCode, 403);
    assert.ok(notMine.json().error);
    const deleted = await call(app, 'DELETE', `/api/v1/statuses/${s.id}`, { token: alice.token });
    assert.equal(deleted.statusCode, 200, deleted.body);
    assertStatusShape(deleted.json());
    assert.equal(deleted.json().text, 'to be #deleted');
    assert.equal(deleted.json().id, s.id);
    assert.equal((await call(app, 'GET', `/api/v1/statuses/${s.id}`)).statusCode, 404);
    assert.equal((await call(app, 'DELETE', `/api/v1/statuses/${s.id}`, { token: alice.token })).statusCode, 404);
  });

  it('favourite, bookmark, reblog and their undoing answer the Status with the viewer flags', async () => {
    const s = await post(alice, { status: 'likeable' });
    const fav = await call(app, 'POST', `/api/v1/statuses/${s.id}/favourite`, { token: bob.token });
    assert.equal(fav.statusCode, 200, fav.body);
    assertStatusShape(fav.json());
    assert.equal(fav.json().favourited, true);
    assert.equal(fav.json().favourites_count, 1);
    assert.equal((await call(app, 'POST', `/api/v1/statuses/${s.id}/favourite`, { token: bob.token })).json().favourites_count, 1, 'idempotent');
    const bookmark = await call(app, 'POST', `/api/v1/statuses/${s.id}/bookmark`, { token: bob.token });
    assert.equal(bookmark.json().bookmarked, true);
    const asBob = (await call(app, 'GET', `/api/v1/statuses/${s.id}`, { token: bob.token })).json();
    assert.equal(asBob.favourited, true);
    assert.equal(asBob.bookmarked, true);
    const anonymous = (await call(app, 'GET', `/api/v1/statuses/${s.id}`)).json();
    assert.equal(anonymous.favourited, false, 'an anonymous viewer has done none of these');
    assert.equal(anonymous.bookmarked, false);

    const wrapper = await call(app, 'POST', `/api/v1/statuses/${s.id}/reblog`, { token: bob.token, payload: { visibility: 'unlisted' } });
    assert.equal(wrapper.statusCode, 200, wrapper.body);
    const w = wrapper.json();
    assertStatusShape(w);
    assert.notEqual(w.id, s.id);
    assert.equal(w.account.id, bob.id);
    assert.equal(w.content, '');
    assert.equal(w.visibility, 'unlisted');
    assert.equal(w.reblog.id, s.id);
    assert.equal(w.reblog.reblogged, true);
    assert.equal(w.reblog.reblogs_count, 1);
    const again = await call(app, 'POST', `/api/v1/statuses/${s.id}/reblog`, { token: bob.token });
    assert.equal(again.json().id, w.id, 'one boost per account');
    const byWrapper = await call(app, 'GET', `/api/v1/statuses/${w.id}`);
    assert.equal(byWrapper.json().reblog.id, s.id);

    const unreblog = await call(app, 'POST', `/api/v1/statuses/${s.id}/unreblog`, { token: bob.token });
    assert.equal(unreblog.json().id, s.id, 'unreblog answers the original');
    assert.equal(unreblog.json().reblogged, false);
    assert.equal(unreblog.json().reblogs_count, 0);
    assert.equal((await call(app, 'POST', `/api/v1/statuses/${s.id}/unfavourite`, { token: bob.token })).json().favourited, false);
    assert.equal((await call(app, 'POST', `/api/v1/statuses/${s.id}/unbookmark`, { token: bob.token })).json().bookmarked, false);
    const badBoost = await call(app, 'POST', `/api/v1/statuses/${s.id}/reblog`, { token: bob.token, payload: { visibility: 'direct' } });
    assert.equal(badBoost.statusCode, 422);
  });

  it('DELETE of one\'s own boost takes the boost back; the original stays', async () => {
    const s = await post(alice, { status: 'boost me' });
    const w = (await call(app, 'POST', `/api/v1/statuses/${s.id}/reblog`, { token: bob.token })).json();
    const res = await call(app, 'DELETE', `/api/v1/statuses/${w.id}`, { token: bob.token });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().id, w.id);
    assert.equal(res.json().text, '');
    assert.equal(res.json().reblog.id, s.id);
    assert.equal((await call(app, 'GET', `/api/v1/statuses/${w.id}`)).statusCode, 404);
    const original = (await call(app, 'GET', `/api/v1/statuses/${s.id}`, { token: bob.token })).json();
    assert.equal(original.reblogged, false);
    assert.equal(original.reblogs_count, 0);
    assert.equal((await call(app, 'DELETE', `/api/v1/statuses/${s.id}`, { token: bob.token })).statusCode, 403, 'not bob\'s post');
  });

  it('pin is refused honestly; unpin, mute and unmute answer the Status', async () => {
    const s = await post(alice, { status: 'pin me' });
    const pin = await call(app, 'POST', `/api/v1/statuses/${s.id}/pin`, { token: alice.token });
    assert.equal(pin.statusCode, 422);
    assert.match(pin.json().error, /^Validation failed: pinning is not supported/);
    for (const action of ['unpin', 'mute', 'unmute']) {
      const res = await call(app, 'POST', `/api/v1/statuses/${s.id}/${action}`, { token: alice.token });
      assert.equal(res.statusCode, 200, `${action}: ${res.body}`);
      assertStatusShape(res.json());
      assert.equal(res.json().pinned, false);
      assert.equal(res.json().muted, false);
    }
  });

  it('favourited_by and reblogged_by: Accounts, paged by the row ids in Link', async () => {
    const s = await post(alice, { status: 'popular' });
    const fans: ApiUser[] = [];
    for (let i = 0; i < 3; i++) fans.push(await apiUser(app, t.core, { client, prefix: 'fan' }));
    for (const fan of fans) {
      await call(app, 'POST', `/api/v1/statuses/${s.id}/favourite`, { token: fan.token });
      await call(app, 'POST', `/api/v1/statuses/${s.id}/reblog`, { token: fan.token });
    }
    for (const list of ['favourited_by', 'reblogged_by']) {
      const seen: string[] = [];
      let url: string | undefined = `/api/v1/statuses/${s.id}/${list}?limit=2`;
      while (url) {
        const res = await call(app, 'GET', url);
        assert.equal(res.statusCode, 200, res.body);
        const accounts = res.json() as Json[];
        for (const a of accounts) for (const key of ACCOUNT_KEYS) assert.ok(key in a, `${list} account has ${key}`);
        seen.push(...accounts.map((a) => a.id));
        const next = /<([^>]+)>; rel="next"/.exec(String(res.headers.link ?? ''))?.[1];
        url = accounts.length > 0 && next ? next.replace(publicUrl, '') : undefined;
      }
      assert.deepEqual(seen, fans.map((f) => f.id).reverse(), `${list}: newest first, no gaps, no duplicates`);
    }
  });
}, { env: { API_RATE_LIMIT: '100000' } });
