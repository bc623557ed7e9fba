import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { BrowserSession, inputValueIn, textareaIn } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';

// Editing a post on the website, as a browser without JavaScript does it: the author's Edit link, a
// form filled with the source, the CSRF token, a redirect to the post, which then says "edited".

forEachBackend('website post editing', (t) => {
  let app: FastifyInstance;
  let alice: BrowserSession;
  let bob: BrowserSession;
  let postId: string;
  const permalink = () => `/@alice/${postId}`;
  before(async () => {
    app = await buildApp(t.core);
    alice = new BrowserSession(app);
    bob = new BrowserSession(app);
    assert.equal((await alice.signUp({ username: 'alice' })).statusCode, 303);
    assert.equal((await bob.signUp({ username: 'bob' })).statusCode, 303);
    const alice_ = await t.core.accounts.getAccountByUsername('alice');
    postId = (await t.core.posts.createPost(alice_.id, { text: 'First <draft> & more', spoilerText: 'cw here' })).id;
  });
  after(() => app?.close());

  it('the author sees Edit on the post; others and visitors do not', async () => {
    const own = await alice.get(permalink());
    assert.match(own.body, new RegExp(`<a href="/statuses/${postId}/edit" class="button-link post-edit"[^>]*>Edit</a>`));
    assert.doesNotMatch(own.body, /post-edited/, 'not edited yet');
    assert.doesNotMatch((await bob.get(permalink())).body, /\/edit"/);
    assert.doesNotMatch((await app.inject({ url: permalink() })).body, /\/edit"/);
  });

  it('the form is filled with the source, and saving redirects to the post, now marked edited', async () => {
    const form = await alice.get(`/statuses/${postId}/edit`);
    assert.equal(form.statusCode, 200);
    assert.equal(textareaIn(form.body, 'status'), 'First &lt;draft&gt; &amp; more');
    assert.equal(inputValueIn(form.body, 'spoiler_text'), 'cw here');
    assert.match(form.body, /Who can see it: Public/);
    const saved = await alice.post(`/statuses/${postId}/edit`, { status: 'Second draft @bob #edited', spoiler_text: '' });
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
    assert.equal(saved.headers.location, permalink());
    const page = await alice.get(permalink());
    assert.match(page.body, /Second draft/);
    assert.match(page.body, /href="\/tags\/edited"/);
    assert.doesNotMatch(page.body, /cw here/, 'the content warning was taken away');
    const post = await t.core.posts.getPost(postId);
    assert.match(page.body, new RegExp(`<span class="post-edited"> · edited <time datetime="${post.editedAt!.toISOString()}">`));
    // In lists too (the profile), beside the time.
    assert.match((await app.inject({ url: '/@alice' })).body, /<span class="post-edited" title="Edited [^"]+">· edited/);
    assert.equal((await t.core.posts.postHistory(postId)).length, 2);
  });

  it('keeps a post\'s sensitive flag when the form leaves its content warning as it was', async () => {
    const alice_ = await t.core.accounts.getAccountByUsername('alice');
    const flagged = await t.core.posts.createPost(alice_.id, { text: 'a picture story', sensitive: true });
    const saved = await alice.post(`/statuses/${flagged.id}/edit`, { status: 'a picture story, edited', spoiler_text: '' });
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
    assert.equal((await t.core.posts.getPost(flagged.id)).sensitive, true, 'no warning before or after: the flag stays');
    const warned = await t.core.posts.createPost(alice_.id, { text: 'spoilers', spoilerText: 'film', sensitive: false });
    await alice.post(`/statuses/${warned.id}/edit`, { status: 'spoilers, edited', spoiler_text: 'film' });
    assert.equal((await t.core.posts.getPost(warned.id)).sensitive, false, 'the same warning: the flag stays');
  });

  it('a refused edit shows the message and keeps what was typed; nothing changes', async () => {
    await alice.get(`/statuses/${postId}/edit`);
    const res = await alice.post(`/statuses/${postId}/edit`, { status: 'y'.repeat(600), spoiler_text: 'kept' });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /<p class="error-message" id="field-status-error">Posts have at most 500 characters; this one has 600.<\/p>/);
    assert.match(res.body, /aria-invalid="true"/);
    assert.equal(textareaIn(res.body, 'status'), 'y'.repeat(600));
    assert.equal(inputValueIn(res.body, 'spoiler_text'), 'kept');
    const empty = await alice.post(`/statuses/${postId}/edit`, { status: '   ', spoiler_text: '' });
    assert.equal(empty.statusCode, 422);
    assert.match(empty.body, /Write something/);
    assert.equal((await t.core.posts.postHistory(postId)).length, 2);
  });

  it('others cannot edit; a missing CSRF token is refused; a visitor is sent to sign in', async () => {
    assert.equal((await bob.get(`/statuses/${postId}/edit`)).statusCode, 404);
    await bob.get('/');
    assert.equal((await bob.post(`/statuses/${postId}/edit`, { status: 'hijacked' })).statusCode, 404);
    await alice.get('/');
    assert.equal((await alice.post(`/statuses/${postId}/edit`, { status: 'no token' }, { csrf: 'none' })).statusCode, 403);
    const visitor = await app.inject({ url: `/statuses/${postId}/edit` });
    assert.equal(visitor.statusCode, 303);
    assert.equal(visitor.headers.location, `/auth/sign_in?return_to=${encodeURIComponent(`/statuses/${postId}/edit`)}`);
    assert.doesNotMatch((await t.core.posts.getPost(postId)).text, /hijacked|no token/);
  });

  it('a deleted post cannot be edited', async () => {
    await alice.get(`/statuses/${postId}/delete`);
    assert.equal((await alice.post(`/statuses/${postId}/delete`, {})).statusCode, 303);
    assert.equal((await alice.get(`/statuses/${postId}/edit`)).statusCode, 404);
    await alice.get('/');
    assert.equal((await alice.post(`/statuses/${postId}/edit`, { status: 'ghost' })).statusCode, 404);
  });
});
