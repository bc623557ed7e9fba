import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { apiUser, appToken, call, type ApiUser } from '../helpers/api-user.ts';
import { registerApp, type TestApp } from '../helpers/oauth.ts';
import { assertStatusShape } from '../helpers/mastodon-entities.ts';

// The API's lists of statuses: home, public, tag, an account's statuses, bookmarks and favourites, each
// newest first and walked through its `Link` header the way masto.js and Tusky walk it.

type Json = Record<string, any>;

forEachBackend('API timelines', (t) => {
  let app: FastifyInstance;
  let client: TestApp;
  let alice: ApiUser;
  let bob: ApiUser;
  let carol: ApiUser;
  let publicUrl: string;
  before(async () => {
    app = await buildApp(t.core);
    client = await registerApp(app);
    alice = await apiUser(app, t.core, { client, prefix: 'tla' });
    bob = await apiUser(app, t.core, { client, prefix: 'tlb' });
    carol = await apiUser(app, t.core, { client, prefix: 'tlc' });
    publicUrl = t.config.publicUrl;
  }, { timeout: 60_000 });
  after(async () => {
    await app?.close();
  });

  const post = async (user: ApiUser, payload: Json) => {
    const res = await call(app, 'POST', '/api/v1/statuses', { token: user.token, payload });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Json;
  };
  const get = async (url: string, token?: string) => {
    const res = await call(app, 'GET', url, { token });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res;
  };
  const ids = (res: { json(): unknown }) => (res.json() as Json[]).map((s) => s.id as string);
  const linkOf = (res: { headers: Record<string, unknown> }, rel: 'next' | 'prev') => new RegExp(`<([^>]+)>; rel="${rel}"`).exec(String(res.headers.link ?? ''))?.[1];

  /** Follows `next` links from `url` to the end; every id seen, in order. */
  const walk = async (url: string, token?: string) => {
    const seen: string[] = [];
    let next: string | undefined = url;
    let pages = 0;
    while (next) {
      const res = await get(next, token);
      const page = ids(res);
      (res.json() as Json[]).forEach(assertStatusShape);
      seen.push(...page);
      const link = linkOf(res, 'next');
      if (page.length > 0) {
        assert.ok(link, 'a non-empty page has a next link');
        assert.ok(link.startsWith(`${publicUrl}/api/`), `absolute: ${link}`);
      }
      next = page.length > 0 ? link!.slice(publicUrl.length) : undefined;
      pages += 1;
      assert.ok(pages < 100, 'the walk ends');
    }
    return seen;
  };

  it('home: own posts, followed accounts\' posts (private too) and boosts; a user token with read:statuses', async () => {
    await t.core.follows.follow(alice.id, bob.id);
    const own = await post(alice, { status: 'mine' });
    const followed = await post(bob, { status: 'from bob', visibility: 'private' });
    const stranger = await post(carol, { status: 'from carol' });
    const boost = (await call(app, 'POST', `/api/v1/statuses/${stranger.id}/reblog`, { token: bob.token })).json();
    const res = await get('/api/v1/timelines/home?limit=40', alice.token);
    const home = ids(res);
    assert.deepEqual(home.slice(0, 3), [boost.id, followed.id, own.id]);
    assert.ok(!home.includes(stranger.id));
    assert.equal((res.json() as Json[])[0]!.reblog.id, stranger.id);
    (res.json() as Json[]).forEach(assertStatusShape);
    assert.equal((await call(app, 'GET', '/api/v1/timelines/home')).statusCode, 401);
    assert.equal((await call(app, 'GET', '/api/v1/timelines/home', { token: await alice.tokenFor('write') })).statusCode, 403);
    assert.equal((await call(app, 'GET', '/api/v1/timelines/home', { token: await appToken(app, client) })).statusCode, 422);
    assert.equal((await call(app, 'GET', '/api/v1/timelines/home', { token: await alice.tokenFor('read:statuses') })).statusCode, 200);
  });

  it('public: public posts only, no boosts; remote and only_media list nothing; local changes nothing', async () => {
    const pub = await post(carol, { status: 'public one' });
    const unlisted = await post(carol, { status: 'unlisted one', visibility: 'unlisted' });
    const anonymous = ids(await get('/api/v1/timelines/public?limit=40'));
    assert.equal(anonymous[0], pub.id);
    assert.ok(!anonymous.includes(unlisted.id));
    assert.deepEqual(ids(await get('/api/v1/timelines/public?local=true&limit=40')), anonymous);
    assert.deepEqual(ids(await get('/api/v1/timelines/public?remote=1')), []);
    assert.deepEqual(ids(await get('/api/v1/timelines/public?only_media=true')), []);
    assert.equal((await get('/api/v1/timelines/public', alice.token)).statusCode, 200);
    const bad = await call(app, 'GET', '/api/v1/timelines/public?local=perhaps');
    assert.equal(bad.statusCode, 422);
  });

  it('tag: posts with the hashtag, widened by any[], narrowed by all[] and none[]; only_media and odd tags list nothing', async () => {
    const birds = await post(carol, { status: 'about #Birds' });
    const fish = await post(carol, { status: 'about #fish' });
    const both = await post(carol, { status: 'about #birds and #fish and #sea' });
    assert.deepEqual(ids(await get('/api/v1/timelines/tag/birds')), [both.id, birds.id]);
    assert.deepEqual(ids(await get('/api/v1/timelines/tag/BIRDS?local=true')), [both.id, birds.id]);
    assert.deepEqual(ids(await get('/api/v1/timelines/tag/birds?any[]=fish')), [both.id, fish.id, birds.id], 'each post once');
    assert.deepEqual(ids(await get('/api/v1/timelines/tag/birds?all[]=fish')), [both.id]);
    assert.deepEqual(ids(await get('/api/v1/timelines/tag/birds?all[]=fish&all[]=sea')), [both.id]);
    assert.deepEqual(ids(await get('/api/v1/timelines/tag/birds?all[]=nothing_like_it')), []);
    assert.deepEqual(ids(await get(`/api/v1/timelines/tag/birds?all[]=${'x'.repeat(150)}`)), []);
    assert.deepEqual(ids(await get('/api/v1/timelines/tag/birds?none[]=fish')), [birds.id]);
    assert.deepEqual(ids(await get('/api/v1/timelines/tag/birds?any[]=fish&none[]=sea')), [fish.id, birds.id]);
    assert.deepEqual(ids(await get('/api/v1/timelines/tag/birds?none[]=birds')), []);
    assert.deepEqual(ids(await get('/api/v1/timelines/tag/birds?any=fish')), [both.id, fish.id, birds.id], 'a single value without brackets');
    assert.deepEqual(ids(await get('/api/v1/timelines/tag/birds?only_media=1')), []);
    assert.deepEqual(ids(await get(`/api/v1/timelines/tag/${'x'.repeat(150)}`)), []);
    assert.deepEqual(ids(await get('/api/v1/timelines/tag/%00')), []);
    const many = Array.from({ length: 21 }, (_, i) => `any[]=t${i}`).join('&');
    assert.equal((await call(app, 'GET', `/api/v1/timelines/tag/birds?${many}`)).statusCode, 422);
  });

  it('an account\'s statuses: exclude_replies, exclude_reblogs, pinned, tagged, only_media; unknown 404; visibility', async () => {
    const dave = await apiUser(app, t.core, { client, prefix: 'dave' });
    const plain = await post(dave, { status: 'plain #Cats' });
    const reply = await post(dave, { status: 'a reply', in_reply_to_id: (await post(carol, { status: 'parent' })).id });
    const selfReply = await post(dave, { status: 'thread', in_reply_to_id: plain.id });
    const boost = (await call(app, 'POST', `/api/v1/statuses/${(await post(carol, { status: 'boosted' })).id}/reblog`, { token: dave.token })).json();
    const priv = await post(dave, { status: 'private', visibility: 'private' });
    const url = `/api/v1/accounts/${dave.id}/statuses`;
    assert.deepEqual(ids(await get(url)), [boost.id, selfReply.id, reply.id, plain.id]);
    assert.deepEqual(ids(await get(url, dave.token)), [priv.id, boost.id, selfReply.id, reply.id, plain.id]);
    assert.deepEqual(ids(await get(`${url}?exclude_replies=true`)), [boost.id, selfReply.id, plain.id]);
    assert.deepEqual(ids(await get(`${url}?exclude_reblogs=1`)), [selfReply.id, reply.id, plain.id]);
    assert.deepEqual(ids(await get(`${url}?pinned=true`)), []);
    assert.deepEqual(ids(await get(`${url}?only_media=true`)), []);
    assert.deepEqual(ids(await get(`${url}?tagged=cats`)), [plain.id]);
    for (const bad of ['999999999999', 'abc']) {
      const res = await call(app, 'GET', `/api/v1/accounts/${bad}/statuses`);
      assert.equal(res.statusCode, 404);
      assert.deepEqual(res.json(), { error: 'Record not found' });
    }
  });

  it('paging: next links walk to the end without gaps or duplicates; min_id gives the page just newer; limits clamp', async () => {
    const erin = await apiUser(app, t.core, { client, prefix: 'erin' });
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await post(erin, { status: `post ${i}` })).id);
    const newestFirst = [...made].reverse();
    const url = `/api/v1/accounts/${erin.id}/statuses?limit=3&exclude_replies=true`;
    assert.deepEqual(await walk(url), newestFirst);
    const first = await get(url);
    const next = linkOf(first, 'next')!;
    assert.ok(next.includes('limit=3') && next.includes('exclude_replies=true'), `parameters kept: ${next}`);
    assert.ok(next.includes(`max_id=${newestFirst[2]}`));
    assert.ok(linkOf(first, 'prev')!.includes(`min_id=${newestFirst[0]}`));
    // min_id: the 2 posts just newer than the oldest, still newest first (exclusive bound).
    assert.deepEqual(ids(await get(`/api/v1/accounts/${erin.id}/statuses?min_id=${made[0]}&limit=2`)), [made[2], made[1]]);
    assert.deepEqual(ids(await get(`/api/v1/accounts/${erin.id}/statuses?since_id=${made[4]}`)), [made[6], made[5]]);
    assert.deepEqual(ids(await get(`/api/v1/accounts/${erin.id}/statuses?max_id=${made[2]}`)), [made[1], made[0]]);
    assert.deepEqual(ids(await get(`/api/v1/accounts/${erin.id}/statuses?min_id=${made[6]}`)), []);
    assert.equal((await get(`/api/v1/accounts/${erin.id}/statuses?min_id=${made[6]}`)).headers.link, undefined, 'no Link on an empty page');
    const prevOfSecond = linkOf(await get(next.slice(publicUrl.length)), 'prev')!;
    assert.deepEqual(ids(await get(prevOfSecond.slice(publicUrl.length))), newestFirst.slice(0, 3), 'prev leads back to the first page');

    for (let i = 0; i < 35; i++) await t.core.posts.createPost(erin.id, { text: `bulk ${i}` });
    assert.equal(ids(await get(`/api/v1/accounts/${erin.id}/statuses?limit=1000`)).length, 40, 'clamped to 40');
    assert.equal(ids(await get(`/api/v1/accounts/${erin.id}/statuses`)).length, 20, 'default 20');
    assert.equal(ids(await get(`/api/v1/accounts/${erin.id}/statuses?limit=0`)).length, 1);
    assert.equal(ids(await get(`/api/v1/accounts/${erin.id}/statuses?limit=ten`)).length, 20);
    const bad = await call(app, 'GET', `/api/v1/accounts/${erin.id}/statuses?max_id=abc`);
    assert.equal(bad.statusCode, 422);
    assert.match(bad.json().error, /max_id/);
  });

  it('bookmarks and favourites: the viewer\'s own, in the order they were made, paged by that row', async () => {
    const frank = await apiUser(app, t.core, { client, prefix: 'frank' });
    const posts: string[] = [];
    for (let i = 0; i < 5; i++) posts.push((await post(carol, { status: `mark ${i}` })).id);
    // Marked oldest post last: the list follows the bookmark, not the post.
    const order = [posts[1]!, posts[3]!, posts[4]!, posts[2]!, posts[0]!];
    for (const id of order) {
      assert.equal((await call(app, 'POST', `/api/v1/statuses/${id}/bookmark`, { token: frank.token })).statusCode, 200);
      assert.equal((await call(app, 'POST', `/api/v1/statuses/${id}/favourite`, { token: frank.token })).statusCode, 200);
    }
    for (const list of ['bookmarks', 'favourites']) {
      assert.deepEqual(await walk(`/api/v1/${list}?limit=2`, frank.token), [...order].reverse(), list);
      const all = (await get(`/api/v1/${list}`, frank.token)).json() as Json[];
      assert.ok(all.every((s) => (list === 'bookmarks' ? s.bookmarked : s.favourited)));
      assert.deepEqual(ids(await get(`/api/v1/${list}`, carol.token)).filter((id) => posts.includes(id)), [], 'another user\'s list is their own');
      assert.equal((await call(app, 'GET', `/api/v1/${list}`)).statusCode, 401);
      assert.equal((await call(app, 'GET', `/api/v1/${list}`, { token: await frank.tokenFor('write') })).statusCode, 403);
      assert.equal((await call(app, 'GET', `/api/v1/${list}`, { token: await frank.tokenFor(`read:${list}`) })).statusCode, 200);
    }
  });
}, { env: { API_RATE_LIMIT: '100000' } });
