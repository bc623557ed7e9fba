import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { BrowserSession, inputValueIn, textareaIn, type Response } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';

// The everyday interactions on the website, as a browser without JavaScript does them: plain forms with
// the CSRF token, each answered by a redirect back to the page it was on.

/** The card ids of a page, in order (`p-<id>`: the post's own id, or the boost's). */
function cardIds(body: string): string[] {
  return [...body.matchAll(/<article class="post[^"]*" id="p-(\d+)"/g)].map((m) => m[1]!);
}

/** The HTML of one card. */
function card(body: string, id: string): string {
  const start = body.indexOf(`id="p-${id}"`);
  assert.ok(start >= 0, `card ${id} on the page`);
  return body.slice(start, body.indexOf('</article>', start));
}

/** The toggle form of `action` in a card: where it posts, whether it is pressed, its count. */
function button(cardHtml: string, kind: 'reblog' | 'favourite' | 'bookmark'): { action: string; pressed: boolean; count: number } | undefined {
  const icon = kind === 'reblog' ? 'boost' : kind;
  const m = new RegExp(`action="/statuses/\\d+/(un)?${kind}"[\\s\\S]*?class="post-action post-action-${icon}" aria-pressed="(true|false)">([\\s\\S]*?)</button>`).exec(cardHtml);
  if (!m) return undefined;
  const count = /<span class="post-action-count"><span class="visually-hidden">, <\/span>([\d,]+)<\/span>/.exec(m[3]!)?.[1];
  return { action: `${m[1] ?? ''}${kind}`, pressed: m[2] === 'true', count: count ? Number(count.replace(/,/g, '')) : 0 };
}

function dd(body: string, label: string): number {
  const m = new RegExp(`<dt>(?:<a [^>]*>)?${label}(?:</a>)?</dt><dd>([\\d,]+)</dd>`).exec(body);
  assert.ok(m, `${label} count on the page`);
  return Number(m[1]!.replace(/,/g, ''));
}

function assertRedirect(res: Response, to: string) {
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  assert.equal(res.headers.location, to);
}

forEachBackend('website interactions', (t) => {
  let app: FastifyInstance;
  let alice: BrowserSession;
  let bob: BrowserSession;
  let carol: BrowserSession;
  let bobId: string;
  const names = new Map<BrowserSession, string>();
  before(async () => {
    app = await buildApp(t.core);
    alice = new BrowserSession(app);
    bob = new BrowserSession(app);
    carol = new BrowserSession(app);
    for (const [session, name] of [
      [alice, 'alice'],
      [bob, 'bob'],
      [carol, 'carol'],
    ] as const) {
      assert.equal((await session.signUp({ username: name })).statusCode, 303);
      names.set(session, name);
    }
    bobId = (await t.core.accounts.getAccountByUsername('bob')).id;
  });
  after(() => app?.close());

  /** Posts from the compose box of `path` and returns the new post's id. */
  async function postFrom(session: BrowserSession, fields: Record<string, string>, path = '/'): Promise<string> {
    await session.get(path);
    const res = await session.post('/statuses', fields);
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    const who = await t.core.accounts.getAccountByUsername(names.get(session)!);
    const [latest] = await t.core.posts.accountStatuses(who.id, who.id, { limit: 1 });
    return latest!.id;
  }

  describe('follow and home', () => {
    it('follows from the profile: the counts, the button, "Follows you" and the home timeline change; unfollow undoes it', async () => {
      const bobsPost = await postFrom(bob, { status: 'bob says hello', visibility: 'private' });
      let profile = await alice.get('/@bob');
      assert.match(profile.body, /<button type="submit" class="button" aria-label="Follow @bob">Follow<\/button>/);
      assert.equal(dd(profile.body, 'Followers'), 0);
      let home = await alice.get('/');
      assert.ok(!cardIds(home.body).includes(bobsPost), 'not followed yet: not on the home timeline');

      assertRedirect(await alice.post(`/accounts/${bobId}/follow`, { return_to: '/@bob' }), '/@bob');
      profile = await alice.get('/@bob');
      assert.equal(dd(profile.body, 'Followers'), 1);
      assert.match(profile.body, /aria-label="Unfollow @bob">Unfollow<\/button>/);
      assert.match((await bob.get('/@alice')).body, /<span class="badge badge-muted">Follows you<\/span>/);
      assert.equal(dd((await alice.get('/@alice')).body, 'Following'), 1);
      // Followed: bob's followers-only post is on alice's home timeline (at / and /home), not on the public one.
      for (const path of ['/', '/home']) assert.ok(cardIds((await alice.get(path)).body).includes(bobsPost), path);
      assert.ok(!cardIds((await alice.get('/public')).body).includes(bobsPost));
      // The lists name who follows whom.
      assert.match((await alice.get('/@bob/followers')).body, /<span class="display-name">alice<\/span> <span class="handle">@alice<\/span>/);
      assert.match((await carol.get('/@alice/following')).body, /<span class="handle">@bob<\/span>/);

      assertRedirect(await alice.post(`/accounts/${bobId}/unfollow`, { return_to: '/@bob' }), '/@bob');
      profile = await alice.get('/@bob');
      assert.equal(dd(profile.body, 'Followers'), 0);
      home = await alice.get('/');
      assert.ok(!cardIds(home.body).includes(bobsPost), 'unfollowed: gone from home');
    });

    it('shows no follow button on one\'s own profile nor to a visitor; /home needs a login', async () => {
      assert.doesNotMatch((await alice.get('/@alice')).body, /Follow @alice/);
      assert.match((await alice.get('/@alice')).body, /href="\/settings\/profile">Edit profile</);
      const visitor = new BrowserSession(app);
      assert.doesNotMatch((await visitor.get('/@bob')).body, /Follow @bob/);
      assertRedirect(await visitor.get('/home'), '/auth/sign_in?return_to=%2Fhome');
      // Logged out, / stays the public timeline.
      assert.match((await visitor.get('/')).body, /Latest posts/);
    });
  });

  describe('buttons on posts', () => {
    it('favourite, boost and bookmark toggle, with counts true to the core, and come back to the card', async () => {
      const id = await postFrom(bob, { status: 'press my buttons' });
      let page = await alice.get('/public');
      let c = card(page.body, id);
      assert.deepEqual(button(c, 'favourite'), { action: 'favourite', pressed: false, count: 0 });
      assert.deepEqual(button(c, 'reblog'), { action: 'reblog', pressed: false, count: 0 });
      assert.deepEqual(button(c, 'bookmark'), { action: 'bookmark', pressed: false, count: 0 });
      for (const action of ['favourite', 'reblog', 'bookmark']) {
        assertRedirect(await alice.post(`/statuses/${id}/${action}`, { return_to: `/public#p-${id}` }), `/public#p-${id}`);
      }
      // carol favourites too: the count is everyone's, the pressed state the viewer's.
      await carol.get('/public');
      await carol.post(`/statuses/${id}/favourite`, { return_to: '/public' });
      page = await alice.get('/public');
      c = card(page.body, id);
      assert.deepEqual(button(c, 'favourite'), { action: 'unfavourite', pressed: true, count: 2 });
      assert.deepEqual(button(c, 'reblog'), { action: 'unreblog', pressed: true, count: 1 });
      assert.deepEqual(button(c, 'bookmark'), { action: 'unbookmark', pressed: true, count: 0 });
      const fresh = await t.core.posts.getPost(id, undefined);
      assert.equal(fresh.favouritesCount, 2);
      assert.equal(fresh.reblogsCount, 1);
      // The bookmark and favourite lists show it; alice's profile shows the boost under "alice boosted".
      assert.ok(cardIds((await alice.get('/bookmarks')).body).includes(id));
      assert.ok(cardIds((await alice.get('/favourites')).body).includes(id));
      const profile = await alice.get('/@alice');
      assert.match(profile.body, /<a href="\/@alice">alice<\/a> boosted<\/p>/);
      assert.match(profile.body, /press my buttons/);

      // Pressing again (a double submit) changes nothing; the undo buttons undo.
      await alice.post(`/statuses/${id}/favourite`, { return_to: '/public' });
      for (const action of ['unfavourite', 'unreblog', 'unbookmark']) await alice.post(`/statuses/${id}/${action}`, { return_to: '/public' });
      c = card((await alice.get('/public')).body, id);
      assert.deepEqual(button(c, 'favourite'), { action: 'favourite', pressed: false, count: 1 });
      assert.deepEqual(button(c, 'reblog'), { action: 'reblog', pressed: false, count: 0 });
      assert.deepEqual(button(c, 'bookmark'), { action: 'bookmark', pressed: false, count: 0 });
      assert.ok(!cardIds((await alice.get('/bookmarks')).body).includes(id));
    });

    it('hides the boost button where the core would refuse it, and shows the visibility', async () => {
      await alice.get('/');
      await alice.post(`/accounts/${bobId}/follow`, { return_to: '/' });
      const id = await postFrom(bob, { status: 'for followers', visibility: 'private' });
      const c = card((await alice.get('/')).body, id);
      assert.equal(button(c, 'reblog'), undefined, 'no boost of someone else\'s followers-only post');
      assert.ok(button(c, 'favourite'));
      assert.match(c, /<span class="badge post-visibility">Followers only<\/span>/);
      const own = card((await bob.get('/')).body, id);
      assert.ok(button(own, 'reblog'), 'one\'s own followers-only post can be boosted');
      await alice.post(`/accounts/${bobId}/unfollow`, { return_to: '/' });
    });

    it('sends a visitor who presses a button to log in, and back', async () => {
      const id = await postFrom(bob, { status: 'visitors see counts' });
      const visitor = new BrowserSession(app);
      await visitor.get('/auth/sign_in'); // a page with a form: a visitor's token
      const page = await visitor.get('/');
      assert.equal(button(card(page.body, id), 'favourite'), undefined, 'no buttons for a visitor');
      assertRedirect(await visitor.post(`/statuses/${id}/favourite`, { return_to: '/public' }), '/auth/sign_in?return_to=%2Fpublic');
    });

    it('refuses every form without its CSRF token, and changes nothing', async () => {
      const id = await postFrom(bob, { status: 'csrf target' });
      await alice.get('/');
      const forms: [string, Record<string, string>][] = [
        ...['favourite', 'unfavourite', 'reblog', 'unreblog', 'bookmark', 'unbookmark'].map((a) => [`/statuses/${id}/${a}`, {}] as [string, Record<string, string>]),
        [`/accounts/${bobId}/follow`, {}],
        [`/accounts/${bobId}/unfollow`, {}],
        ['/statuses', { status: 'no token', in_reply_to_id: id }],
        ['/settings/profile', { display_name: 'Hacked', note: '' }],
      ];
      for (const [url, fields] of forms) {
        const res = await alice.post(url, fields, { csrf: 'none' });
        assert.equal(res.statusCode, 403, url);
      }
      const post = await t.core.posts.getPost(id, undefined);
      assert.equal(post.favouritesCount + post.reblogsCount + post.repliesCount, 0);
      assert.equal((await t.core.accounts.getAccountByUsername('alice')).displayName, '');
      assert.equal((await t.core.accounts.getAccountByUsername('bob')).followersCount, 0);
    });

    it('comes back only to a page of this site, whatever return_to says', async () => {
      const id = await postFrom(bob, { status: 'return here' });
      await alice.get('/');
      for (const evil of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
        const res = await alice.post(`/statuses/${id}/bookmark`, { return_to: evil });
        assertRedirect(res, '/');
      }
      // Without return_to, the page the form was on (its Referer's path).
      assertRedirect(await alice.post(`/statuses/${id}/unbookmark`, {}, { headers: { referer: 'http://localhost/@bob?x=1' } }), '/@bob');
    });

    it('answers 404 for a button on a post the viewer may not see', async () => {
      const id = await postFrom(bob, { status: 'secret', visibility: 'direct' });
      await carol.get('/');
      const res = await carol.post(`/statuses/${id}/favourite`, { return_to: '/' });
      assert.equal(res.statusCode, 404);
    });
  });

  describe('threads and compose', () => {
    it('shows a reply under its parent and the parent above it; the reply form names the people in it', async () => {
      const parent = await postFrom(bob, { status: '@carol what do you think?' });
      const page = await alice.get(`/@bob/${parent}`);
      assert.equal(textareaIn(page.body, 'status'), '@bob @carol ');
      assert.equal(inputValueIn(page.body, 'in_reply_to_id'), parent);
      await alice.post('/statuses', { status: '@bob @carol I agree', in_reply_to_id: parent, return_to: `/@bob/${parent}` }).then((res) => assertRedirect(res, `/@bob/${parent}`));
      const [reply] = await t.core.posts.accountStatuses(undefined, (await t.core.accounts.getAccountByUsername('alice')).id, { limit: 1 });
      assert.equal(reply!.inReplyToId, parent);
      const parentPage = (await carol.get(`/@bob/${parent}`)).body;
      const replies = parentPage.slice(parentPage.indexOf('id="replies-heading"'));
      assert.ok(cardIds(replies).includes(reply!.id), 'the reply under its parent');
      const replyPage = (await carol.get(`/@alice/${reply!.id}`)).body;
      const ancestors = replyPage.slice(replyPage.indexOf('thread-ancestors'), replyPage.indexOf('post-focused'));
      assert.deepEqual(cardIds(ancestors), [parent], 'the parent above the reply');
    });

    it('hides a content warning\'s text behind <details>, and keeps visibility, warning and reply target when a post is refused', async () => {
      const id = await postFrom(bob, { status: 'the butler did it', spoiler_text: 'Mystery spoilers' });
      const c = card((await carol.get('/public')).body, id);
      assert.match(c, /<details class="post-cw"><summary><span class="post-cw-label">Content warning:<\/span> <span dir="auto">Mystery spoilers<\/span>[\s\S]*<\/summary><div class="post-content"[^>]*><p>the butler did it<\/p><\/div><\/details>/);

      const replyBox = await alice.get(`/@bob/${id}`);
      assert.equal(inputValueIn(replyBox.body, 'spoiler_text'), 'Mystery spoilers', 'a reply keeps the warning by default');
      const refused = await alice.post('/statuses', { status: 'x'.repeat(600), spoiler_text: 'still here', visibility: 'unlisted', in_reply_to_id: id, return_to: `/@bob/${id}` });
      assertRedirect(refused, `/@bob/${id}#compose-error`);
      const back = await alice.get(`/@bob/${id}`);
      assert.match(back.body, /id="compose-error" role="alert">Posts have at most/);
      assert.equal(textareaIn(back.body, 'status'), 'x'.repeat(600));
      assert.equal(inputValueIn(back.body, 'spoiler_text'), 'still here');
      assert.match(back.body, /<option value="unlisted" selected>/);
      // The draft belongs to that reply box: the home timeline's box stays empty.
      assert.equal(textareaIn((await alice.get('/')).body, 'status'), '');
    });

    it('respects the visibility chosen: a followers-only post is invisible to a stranger', async () => {
      const id = await postFrom(bob, { status: 'only followers see this', visibility: 'private' });
      assert.equal((await t.core.posts.getPost(id, bobId)).visibility, 'private');
      assert.equal((await carol.get(`/@bob/${id}`)).statusCode, 404);
      assert.ok(!cardIds((await carol.get('/@bob')).body).includes(id));
      assert.ok(!cardIds((await new BrowserSession(app).get('/@bob')).body).includes(id));
      assert.ok(cardIds((await bob.get('/@bob')).body).includes(id));
    });
  });

  describe('profile editing', () => {
    it('saves the display name and bio; too long shows both errors at once and loses nothing', async () => {
      await alice.get('/settings/profile');
      const long = { display_name: 'N'.repeat(31), note: 'B'.repeat(501) };
      const refused = await alice.post('/settings/profile', long);
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /id="field-display_name-error">A display name has at most 30 characters; this one has 31\./);
      assert.match(refused.body, /id="field-note-error">A bio has at most 500 characters; this one has 501\./);
      assert.equal(inputValueIn(refused.body, 'display_name'), long.display_name);
      assert.equal(textareaIn(refused.body, 'note'), long.note);
      assert.equal((await t.core.accounts.getAccountByUsername('alice')).displayName, '', 'nothing saved');

      assertRedirect(await alice.post('/settings/profile', { display_name: 'Alice 🌷', note: 'Hello <there>' }), '/settings/profile?saved=1');
      const profile = await carol.get('/@alice');
      assert.match(profile.body, /<h1 id="profile-name">Alice 🌷<\/h1>/);
      assert.match(profile.body, /<p class="profile-note" dir="auto">Hello &lt;there&gt;<\/p>/);
    });
  });
});
