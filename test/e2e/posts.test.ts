import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { BrowserSession, textareaIn, type Response } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';

// Writing, reading, deleting and paging posts over HTTP, and what user text may never become.

/** The ids of the posts a page lists, in order (each card's author heading carries it). */
function postIds(body: string): string[] {
  return [...body.matchAll(/id="post-(\d+)-author"/g)].map((m) => m[1]!);
}

/** The id in the permalink of the newest post on a page whose text is `text`. */
function idOfPostWith(body: string, text: string): string {
  const at = body.indexOf(text);
  assert.ok(at >= 0, `"${text}" on the page`);
  const ids = [...body.slice(0, at).matchAll(/id="post-(\d+)-author"/g)];
  assert.ok(ids.length > 0);
  return ids[ids.length - 1]![1]!;
}

function newerLink(body: string): string | undefined {
  return /<a class="button button-secondary" href="([^"]+)" rel="prev">Newer posts<\/a>/.exec(body)?.[1]?.replaceAll('&amp;', '&');
}

function olderLink(body: string): string | undefined {
  return /<a class="button button-secondary" href="([^"]+)" rel="next">Older posts<\/a>/.exec(body)?.[1]?.replaceAll('&amp;', '&');
}

function assertHtmlPage(res: Response, status: number) {
  assert.equal(res.statusCode, status, res.body.slice(0, 500));
  assert.match(res.headers['content-type'] as string, /^text\/html; charset=utf-8/);
  assert.match(res.body, /^<!doctype html>/);
}

forEachBackend('website posts', (t) => {
  let app: FastifyInstance;
  let alice: BrowserSession;
  let bob: BrowserSession;
  before(async () => {
    app = await buildApp(t.core);
    alice = new BrowserSession(app);
    bob = new BrowserSession(app);
    assert.equal((await alice.signUp({ username: 'alice' })).statusCode, 303);
    assert.equal((await bob.signUp({ username: 'bob' })).statusCode, 303);
  });
  after(() => app?.close());

  describe('writing', () => {
    it('publishes a post from the form; it shows on /, the profile, its own page and its tag page', async () => {
      const res = await alice.postStatus('Hello from the form #FirstPost');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/');
      const anonymous = new BrowserSession(app);
      const home = await anonymous.get('/');
      assertHtmlPage(home, 200);
      const id = idOfPostWith(home.body, 'Hello from the form');
      const profile = await anonymous.get('/@alice');
      assertHtmlPage(profile, 200);
      assert.ok(postIds(profile.body).includes(id));
      assert.match(profile.body, /<dt>Posts<\/dt><dd>1<\/dd>/);
      const permalink = await anonymous.get(`/@alice/${id}`);
      assertHtmlPage(permalink, 200);
      assert.match(permalink.body, /Hello from the form/);
      assert.match(permalink.body, /<h1 class="post-author"/);
      // The tag page matches case-insensitively and links from the post.
      assert.match(permalink.body, new RegExp(`<a href="/tags/firstpost" class="mention hashtag" rel="tag">#<span>FirstPost</span></a>`));
      for (const path of ['/tags/firstpost', '/tags/FIRSTPOST']) {
        const tag = await anonymous.get(path);
        assertHtmlPage(tag, 200);
        assert.deepEqual(postIds(tag.body), [id], path);
      }
      // A wrong author in the address redirects to the right one.
      const wrong = await anonymous.get(`/@bob/${id}`);
      assert.equal(wrong.statusCode, 301);
      assert.equal(wrong.headers.location, `/@alice/${id}`);
    });

    it('links a mention of an existing account, and only of an existing one', async () => {
      await alice.postStatus('Hi @bob and @ghost_nobody, also @BOB again');
      const page = await new BrowserSession(app).get('/@alice');
      const card = page.body.slice(page.body.indexOf('Hi <span'), page.body.indexOf('again'));
      assert.match(card, new RegExp(`<a href="/@bob" class="u-url mention">@<span>bob</span></a>`));
      assert.match(card, /@ghost_nobody/);
      assert.doesNotMatch(card, /href="[^"]*\/@ghost_nobody"/);
    });

    it('re-shows an over-long post with the message and the typed text, and saves nothing; a reload does not post again', async () => {
      const before = (await t.core.accounts.getAccountByUsername('alice')).statusesCount;
      const text = `A long one </textarea><b>kept</b> ${'x'.repeat(500)}`;
      const res = await alice.postStatus(text);
      // Post/redirect/get: the answer to the POST is a redirect, so reloading what follows sends nothing.
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/#compose-error', 'back to the form, at the message');
      for (const attempt of ['after the redirect', 'after a reload']) {
        const home = await alice.get('/');
        assertHtmlPage(home, 200);
        assert.match(home.body, /id="compose-error" role="alert">Posts have at most 500 characters; this one has 5\d\d\./, attempt);
        assert.equal(textareaIn(home.body, 'status'), text.replace('</textarea><b>kept</b>', '&lt;/textarea&gt;&lt;b&gt;kept&lt;/b&gt;'), attempt);
        assert.match(home.body, /aria-invalid="true" aria-describedby="compose-error"/);
      }
      assert.equal((await t.core.accounts.getAccountByUsername('alice')).statusesCount, before);
      // Someone else logging in on the same browser does not get it.
      const stranger = new BrowserSession(app);
      for (const [name, value] of alice.cookies) if (name !== 'pipit_session') stranger.cookies.set(name, value);
      await stranger.signUp({ username: 'stranger' });
      assert.doesNotMatch((await stranger.get('/')).body, /A long one/);
      // A forged or tampered draft cookie is ignored.
      const tampered = await alice.request({ method: 'GET', url: '/', cookies: { pipit_draft: `${alice.cookies.get('pipit_draft')!.slice(0, -3)}abc` } });
      assert.doesNotMatch(tampered.body, /A long one/);
      // And the form on that page still works; a successful post forgets the draft.
      const retry = await alice.post('/statuses', { status: 'A shorter one' });
      assert.equal(retry.statusCode, 303);
      assert.equal(alice.cookies.has('pipit_draft'), false, 'the draft cookie is cleared');
      assert.doesNotMatch((await alice.get('/')).body, /A long one|compose-error/);
    });

    it('keeps a rejected text too large for a cookie by answering with the page itself', async () => {
      // Random letters do not compress: this cannot travel in a cookie, so the POST answers 422 with it.
      let text = '';
      while (text.length < 19_000) text += Math.random().toString(36).slice(2);
      const res = await alice.postStatus(text);
      assertHtmlPage(res, 422);
      assert.match(res.body, /id="compose-error" role="alert">Posts have at most 500 characters/);
      assert.equal(textareaIn(res.body, 'status'), text);
    });

    it('refuses an empty post with a message', async () => {
      const res = await alice.postStatus('   ');
      assert.equal(res.statusCode, 303);
      assert.match((await alice.get('/')).body, /Write something before posting\./);
      assert.equal((await alice.post('/statuses', { status: 'something after all' })).statusCode, 303);
    });

    it('counts a URL as 23 characters however long it is', async () => {
      const text = `${'y'.repeat(470)} https://example.com/${'z'.repeat(300)}`;
      assert.equal((await alice.postStatus(text)).statusCode, 303);
    });

    it('shows right-to-left text with dir="auto" and the post’s language, and links a non-ASCII URL whole (issue 7)', async () => {
      const alicia = await t.core.accounts.getAccountByUsername('alice');
      const url = 'https://he.wikipedia.org/wiki/עברית';
      const post = await t.core.posts.createPost(alicia.id, { text: `שלום עולם ${url}`, language: 'he' });
      const page = await new BrowserSession(app).get(`/@alice/${post.id}`);
      assertHtmlPage(page, 200);
      assert.match(page.body, /<div class="post-content" dir="auto" lang="he"><p>שלום עולם <a href="https:\/\/he\.wikipedia\.org\/wiki\/עברית" rel=/);
      // Without a language, no lang attribute (the page's own would be wrong), but still dir="auto".
      const plain = await t.core.posts.createPost(alicia.id, { text: 'مرحبا' });
      assert.match((await new BrowserSession(app).get(`/@alice/${plain.id}`)).body, /<div class="post-content" dir="auto"><p>مرحبا<\/p><\/div>/);
    });

    it('refuses a hashtag of over 100 characters no more than any text: posted, not linked, never a 500 (issue 7)', async () => {
      for (const tag of ['x'.repeat(101), 'ñ'.repeat(120)]) {
        const res = await alice.postStatus(`long #${tag}`);
        assert.equal(res.statusCode, 303, res.body.slice(0, 300));
        const profile = await new BrowserSession(app).get('/@alice');
        assert.ok(profile.body.includes(`long #${tag}</p>`), 'shown as plain text');
      }
      assertHtmlPage(await new BrowserSession(app).get(`/tags/${'x'.repeat(101)}`), 200);
    });

    it('sends a logged-out visitor who submits the form to the sign-in page, saving nothing', async () => {
      const visitor = new BrowserSession(app);
      await visitor.get('/auth/sign_in'); // a valid CSRF token: only the missing login is wrong
      const res = await visitor.post('/statuses', { status: 'anonymous words' });
      assert.equal(res.statusCode, 303);
      assert.match(res.headers.location as string, /^\/auth\/sign_in/);
      assert.doesNotMatch((await visitor.get('/')).body, /anonymous words/);
    });

    it('comes back to the page the form was on after logging in, whatever the Referer holds', async () => {
      const visitor = new BrowserSession(app);
      await visitor.get('/auth/sign_in');
      const fromTag = await visitor.post('/statuses', { status: 'x' }, { headers: { referer: `${t.config.publicUrl}/tags/news?x=1` } });
      assert.equal(fromTag.headers.location, '/auth/sign_in?return_to=%2Ftags%2Fnews');
      for (const referer of ['http://[::1', 'http://%zz', '']) {
        const res = await visitor.post('/statuses', { status: 'x' }, { headers: { referer } });
        assert.equal(res.statusCode, 303, `Referer ${JSON.stringify(referer)}: ${res.statusCode}`);
        assert.match(res.headers.location as string, /^\/auth\/sign_in\?return_to=/);
      }
    });
  });

  describe('user text is never markup', () => {
    const attacks = [
      { text: '<script>alert(1)</script>', raw: ['<script>alert(1)'], escaped: '&lt;script&gt;alert(1)&lt;/script&gt;' },
      { text: '"><img src=x onerror=alert(1)>', raw: ['<img src=x', '"><img src=x'], escaped: '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;' },
      { text: 'click javascript:alert(1) now', raw: ['href="javascript:'], escaped: 'javascript:alert(1)' },
      { text: "https://example.com/?q=\"><script>alert(2)</script> and 'single' quotes", raw: ['<script>alert(2)', '"><script'], escaped: '&lt;script&gt;alert(2)' },
      { text: '<a href="javascript:alert(3)">x</a> <svg onload=alert(4)> #xss', raw: ['<a href="javascript:', '<svg onload'], escaped: '&lt;svg onload=alert(4)&gt;' },
    ];

    it('renders every attack inert on the timeline, the profile, the post page and the tag page', async () => {
      const ids: string[] = [];
      for (const attack of attacks) {
        assert.equal((await alice.postStatus(attack.text)).statusCode, 303, attack.text);
        ids.push(postIds((await alice.get('/@alice')).body)[0]!);
      }
      const visitor = new BrowserSession(app);
      const pages = [
        await visitor.get('/'),
        await visitor.get('/@alice'),
        await visitor.get('/tags/xss'),
        await alice.get('/'),
        ...(await Promise.all(ids.map((id) => visitor.get(`/@alice/${id}`)))),
      ];
      for (const page of pages) {
        assertHtmlPage(page, 200);
        for (const attack of attacks) for (const raw of attack.raw) assert.ok(!page.body.includes(raw), `raw ${raw} in a page`);
        assert.doesNotMatch(page.body, /href="\s*javascript:/i);
        assert.doesNotMatch(page.body, /<(script|svg|iframe)\b/i);
        // The only img is the logo, besides pictures Pipit itself made (uploaded avatars and headers,
        // under generated /media/profile/ keys): nothing a user wrote becomes an <img>.
        const ours = /^<img class="(avatar avatar-picture avatar-(small|large)|profile-header)" src="\/media\/profile\/[0-9a-f]{32}\/[a-z-]+\.webp" alt=""[^<>]*>$/;
        assert.deepEqual([...page.body.matchAll(/<img\b[^>]*>/g)].map((m) => m[0]).filter((img) => !ours.test(img)), ['<img src="/assets/pipit.svg" alt="" width="28" height="28">']);
      }
      for (const [i, attack] of attacks.entries()) {
        const page = pages[4 + i]!;
        assert.ok(page.body.includes(attack.escaped), `escaped ${attack.escaped} on its page`);
      }
      // The title and description of a post page carry the text too, escaped.
      assert.match(pages[4]!.body, /<title>alice: “&lt;script&gt;alert\(1\)&lt;\/script&gt;” · Pipit<\/title>/);
      // A real URL still becomes a link (only http and https do), and its quote cannot break the attribute.
      assert.match(pages[4 + 3]!.body, /<a href="https:\/\/example\.com\/\?q=[^"<>]*" rel="nofollow noopener noreferrer" target="_blank">/);
    });

    it('escapes what a visitor puts in the address', async () => {
      const res = await new BrowserSession(app).get('/tags/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
      assert.ok(res.statusCode < 500);
      assert.ok(!res.body.includes('<script>alert(1)'));
    });
  });

  describe('deleting', () => {
    it('lets the author delete a post after a confirmation page, and nobody else', async () => {
      await bob.postStatus('Bob keeps this one');
      await bob.postStatus('Bob deletes this one');
      const profile = await bob.get('/@bob');
      const keep = idOfPostWith(profile.body, 'Bob keeps this one');
      const drop = idOfPostWith(profile.body, 'Bob deletes this one');
      // The card links to a question; no form on it deletes in one click.
      assert.match(profile.body, new RegExp(`<a href="/statuses/${drop}/delete" class="button-link danger post-delete" aria-label="Delete this post">Delete</a>`));
      assert.doesNotMatch(profile.body, /action="\/statuses\/\d+\/delete"/, 'no one-click delete form');
      const seenByAlice = await alice.get('/@bob');
      assert.doesNotMatch(seenByAlice.body, /\/delete"/, 'others do not');

      const question = await bob.get(`/statuses/${drop}/delete`);
      assertHtmlPage(question, 200);
      assert.match(question.body, /<h1 id="confirm-title" class="page-title">Delete this post\?<\/h1>/);
      assert.match(question.body, /Bob deletes this one/);
      assert.match(question.body, new RegExp(`<form method="post" action="/statuses/${drop}/delete"`));
      assert.match(question.body, new RegExp(`<a class="button button-secondary" href="/@bob/${drop}">Cancel</a>`));
      assertHtmlPage(await alice.get(`/statuses/${keep}/delete`), 403);
      assertHtmlPage(await bob.get('/statuses/not-an-id/delete'), 404);

      const forbidden = await alice.post(`/statuses/${keep}/delete`, {});
      assertHtmlPage(forbidden, 403);
      assert.match(forbidden.body, /You can delete only your own posts\./);
      assert.equal((await new BrowserSession(app).get(`/@bob/${keep}`)).statusCode, 200, 'the post survives');

      await bob.get(`/statuses/${drop}/delete`);
      const deleted = await bob.post(`/statuses/${drop}/delete`, {});
      assert.equal(deleted.statusCode, 303);
      assert.equal(deleted.headers.location, '/@bob?deleted=1');
      const after = await bob.get(deleted.headers.location as string);
      assert.match(after.body, /role="status">Your post was deleted\.</);
      assert.doesNotMatch(after.body, /Bob deletes this one/);
      assert.doesNotMatch((await alice.get('/@bob?deleted=1')).body, /Your post was deleted/, 'said only to the author');
      assertHtmlPage(await new BrowserSession(app).get(`/@bob/${drop}`), 404);
      const again = await bob.post(`/statuses/${drop}/delete`, {});
      assertHtmlPage(again, 404);
      const notAnId = await bob.post('/statuses/not-an-id/delete', {});
      assertHtmlPage(notAnId, 404);
    });

    it('sends a logged-out visitor who tries to delete to the sign-in page', async () => {
      const id = postIds((await bob.get('/@bob')).body)[0]!;
      const visitor = new BrowserSession(app);
      await visitor.get('/auth/sign_in');
      const res = await visitor.post(`/statuses/${id}/delete`, {});
      assert.equal(res.statusCode, 303);
      assert.match(res.headers.location as string, /^\/auth\/sign_in/);
      const question = await visitor.get(`/statuses/${id}/delete`);
      assert.equal(question.statusCode, 303);
      assert.equal(question.headers.location, `/auth/sign_in?return_to=${encodeURIComponent(`/statuses/${id}/delete`)}`);
      assert.equal((await visitor.get(`/@bob/${id}`)).statusCode, 200);
    });
  });

  describe('pages and paging', () => {
    it('pages a profile, a tag and the timeline with max_id and an "Older posts" link', async () => {
      const writer = new BrowserSession(app);
      await writer.signUp({ username: 'prolific' });
      const author = await t.core.accounts.getAccountByUsername('prolific');
      const created: string[] = [];
      for (let i = 0; i < 45; i++) created.push((await t.core.posts.createPost(author.id, { text: `number ${i} #paging` })).id);
      const newestFirst = [...created].reverse();

      for (const base of ['/@prolific', '/tags/paging']) {
        const seen: string[][] = [];
        const newer: (string | undefined)[] = [];
        let url: string | undefined = base;
        while (url && seen.length < 5) {
          const res = await writer.get(url);
          assertHtmlPage(res, 200);
          seen.push(postIds(res.body));
          newer.push(newerLink(res.body));
          url = olderLink(res.body);
          if (url) assert.ok(url.startsWith(`${base}?max_id=`), url);
          else assert.match(res.body, /You've reached the end\./);
        }
        assert.equal(seen.length, 3, base);
        assert.deepEqual(seen.flat(), newestFirst, `${base}: every post once, newest first`);
        // "Newer posts" walks back up, page by page, to the first page, which has no such link.
        assert.equal(newer[0], undefined, `${base}: no newer page above the first`);
        for (const i of [2, 1]) {
          const link = newer[i]!;
          assert.equal(link, `${base}?min_id=${seen[i]![0]}`);
          const res = await writer.get(link);
          assertHtmlPage(res, 200);
          assert.deepEqual(postIds(res.body), seen[i - 1], `${base}: newer than page ${i + 1} is page ${i}`);
          assert.equal(olderLink(res.body), `${base}?max_id=${seen[i - 1]!.at(-1)}`);
          assert.equal(newerLink(res.body), i - 1 === 0 ? undefined : `${base}?min_id=${seen[i - 1]![0]}`);
        }
      }

      const first = await writer.get('/');
      const ids = postIds(first.body);
      assert.equal(ids.length, 20);
      const next = olderLink(first.body)!;
      assert.equal(next, `/?max_id=${ids[19]}`);
      const second = await writer.get(next);
      const older = postIds(second.body);
      assert.ok(older.length > 0);
      assert.ok(older.every((id) => BigInt(id) < BigInt(ids[19]!)), 'page two is older than page one');
      assert.doesNotMatch(second.body, /id="compose-status"/, 'the compose box is on the first page only');
    });

    it('answers an invalid max_id with a 4xx page, never a 500', async () => {
      for (const url of [
        '/?max_id=abc',
        '/?max_id=-1',
        '/@alice?max_id=1.5',
        '/tags/paging?max_id=123456789012345678901234',
        '/?max_id[]=abc',
        '/?max_id[a]=1',
        '/@alice?max_id=',
      ]) {
        const res = await new BrowserSession(app).get(url);
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${url}: ${res.statusCode}`);
        assert.match(res.headers['content-type'] as string, /^text\/html/, url);
      }
      // A well-formed id is a fine page, empty or not.
      assert.equal((await new BrowserSession(app).get('/?max_id=1')).statusCode, 200);
    });

    it('shows a friendly 404 page for an unknown user, post or path', async () => {
      const bobsPost = postIds((await bob.get('/@bob')).body)[0]!;
      for (const url of ['/@nobody_at_all', '/@alice/1', '/@alice/99999999999999999999', '/@alice/abc', '/no/such/page', '/@', '/tags/', `/@nobody_at_all/${bobsPost}x`]) {
        const res = await new BrowserSession(app).get(url);
        assertHtmlPage(res, 404);
        assert.match(res.body, /class="error-code">404</, url);
        assert.match(res.body, /<a class="button" href="\/">Go to the home page<\/a>/, url);
        assert.match(res.body, /Request id: <code>[^<]+<\/code>/, url);
      }
    });
  });
});
