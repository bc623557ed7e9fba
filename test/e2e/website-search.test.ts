import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { BrowserSession } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';

// The website's search page: people, hashtags and (logged in) the posts one has a part in.

forEachBackend('website search', (t) => {
  let app: FastifyInstance;
  let wren: BrowserSession;
  let ownPostId: string;
  let strangerPostId: string;
  before(async () => {
    app = await buildApp(t.core);
    wren = new BrowserSession(app);
    assert.equal((await wren.signUp({ username: 'wren' })).statusCode, 303);
    const wrenAccount = await t.core.accounts.getAccountByUsername('wren');
    const stranger = await new BrowserSession(app).signUp({ username: 'starling' });
    assert.equal(stranger.statusCode, 303);
    const starling = await t.core.accounts.getAccountByUsername('starling');
    ownPostId = (await t.core.posts.createPost(wrenAccount.id, { text: 'Nesting season #birdwatch' })).id;
    strangerPostId = (await t.core.posts.createPost(starling.id, { text: 'nesting boxes for sale #birdwatch' })).id;
  });
  after(() => app?.close());

  it('shows the form alone without a query, and links from the header', async () => {
    const res = await app.inject({ url: '/search' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<form method="get" action="\/search" role="search"/);
    assert.doesNotMatch(res.body, /section-title/);
    assert.match((await app.inject({ url: '/' })).body, /href="\/search" class="nav-link nav-search"/);
  });

  it('finds people and hashtags for a visitor, and asks them to log in for posts', async () => {
    const res = await app.inject({ url: '/search?q=star' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /href="\/@starling"/);
    assert.doesNotMatch(res.body, /href="\/@wren"/);
    const tags = await app.inject({ url: '/search?q=%23bird' });
    assert.match(tags.body, /href="\/tags\/birdwatch">#birdwatch<\/a> <span class="hint">2 posts this week/);
    assert.match(tags.body, /Log in<\/a> to search the posts/);
    assert.match(tags.body, /return_to=%2Fsearch%3Fq%3D%2523bird/, 'the query survives the login, encoded');
  });

  it('finds the logged-in person\'s own posts by their words, not a stranger\'s', async () => {
    const res = await wren.get('/search?q=nesting');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, new RegExp(`id="p-${ownPostId}"`));
    assert.doesNotMatch(res.body, new RegExp(`id="p-${strangerPostId}"`));
  });

  it('escapes the query and answers odd input without a 500', async () => {
    const res = await app.inject({ url: `/search?q=${encodeURIComponent('<script>alert(1)</script> & "x"')}` });
    assert.equal(res.statusCode, 200);
    assert.doesNotMatch(res.body, /<script>alert/);
    assert.match(res.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    for (const q of ['%00', '%F0%9F%90%A6', 'a&q=b', encodeURIComponent('@'), encodeURIComponent('#'), 'x'.repeat(900)]) {
      const odd = await wren.get(`/search?q=${q}`);
      assert.equal(odd.statusCode, 200, `${q.slice(0, 20)}: ${odd.body.slice(0, 200)}`);
    }
    const long = await app.inject({ url: `/search?q=${'y'.repeat(5000)}` });
    assert.equal(long.statusCode, 200);
    assert.match(long.body, new RegExp(`value="${'y'.repeat(200)}"`), 'cut to the box\'s own limit');
    assert.doesNotMatch(long.body, /y{201}/);
  });

  it('counts searches per address: past the budget a 429 page says when to try again', async () => {
    const rule = t.core.rateLimits.rules.searchPagesPerIp;
    const ip = '198.51.100.77';
    for (let i = 0; i < rule.limit; i++) {
      const res = await app.inject({ url: `/search?q=w${i}`, remoteAddress: ip });
      assert.equal(res.statusCode, 200, `search ${i}`);
    }
    const refused = await app.inject({ url: '/search?q=one+more', remoteAddress: ip });
    assert.equal(refused.statusCode, 429);
    assert.match(String(refused.headers['content-type']), /^text\/html/);
    assert.ok(Number(refused.headers['retry-after']) > 0, 'Retry-After');
    assert.equal((await app.inject({ url: '/search', remoteAddress: ip })).statusCode, 200, 'the empty form costs nothing');
    assert.equal((await app.inject({ url: '/search?q=x', remoteAddress: '198.51.100.78' })).statusCode, 200, 'another address has its own budget');
  });
});
