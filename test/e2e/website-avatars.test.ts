import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { buildApp } from '../../src/web/app.ts';
import { BrowserSession } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { noiseImage, pngClaiming } from '../helpers/images.ts';

// The profile form's pictures as a browser without JavaScript sends them: a multipart/form-data body
// with the CSRF token among its fields. Saved pictures show wherever the account's avatar is drawn and
// atop the profile; a refused file shows its reason on the form and saves nothing; "remove" goes back
// to the initials; a multipart body without the token is refused like any other form.

type Files = Record<string, { data: Buffer; name: string; type: string }>;

/** Submits the profile form as a browser does (multipart), with the session's last CSRF token unless `csrf` is false. */
async function submitProfile(browser: BrowserSession, fields: Record<string, string>, files: Files = {}, csrf = true) {
  await browser.get('/settings/profile');
  const form = new FormData();
  if (csrf) form.append('_csrf', browser.csrfToken!);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const name of ['avatar', 'header']) {
    const file = files[name];
    // A file input left empty still sends its part, with no bytes and no name.
    form.append(name, file ? new Blob([new Uint8Array(file.data)], { type: file.type }) : new Blob([], { type: 'application/octet-stream' }), file?.name ?? '');
  }
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return browser.request({ method: 'POST', url: '/settings/profile', headers: { 'content-type': request.headers.get('content-type')! }, payload: Buffer.from(await request.arrayBuffer()) });
}

/** The `src` of every <img> on a page. */
function images(body: string): string[] {
  return [...body.matchAll(/<img [^>]*src="([^"]+)"/g)].map((m) => m[1]!);
}

forEachBackend('website avatars and headers', (t) => {
  let app: FastifyInstance;
  let alice: BrowserSession;
  let carol: BrowserSession;
  before(async () => {
    app = await buildApp(t.core);
    alice = new BrowserSession(app);
    carol = new BrowserSession(app);
    await alice.signUp({ username: 'alice' });
    await carol.signUp({ username: 'carol' });
  });
  after(async () => {
    await app?.close();
  });

  it('the form is multipart, with file inputs labelled and described', async () => {
    const page = await alice.get('/settings/profile');
    assert.match(page.body, /<form method="post" action="\/settings\/profile" enctype="multipart\/form-data"/);
    assert.match(page.body, /<label for="field-avatar">Avatar<\/label>/);
    assert.match(page.body, /<input id="field-avatar" name="avatar" type="file" accept="image\/jpeg,[^"]*" aria-describedby="field-avatar-hint">/);
    assert.match(page.body, /<input id="field-header" name="header" type="file"/);
    assert.doesNotMatch(page.body, /name="remove_avatar"/, 'nothing to remove yet');
  });

  it('a multipart form without the CSRF token is refused and saves nothing', async () => {
    const res = await submitProfile(alice, { display_name: 'Hacked', note: '' }, { avatar: { data: await noiseImage(40, 40), name: 'a.jpg', type: 'image/jpeg' } }, false);
    assert.equal(res.statusCode, 403);
    const me = await t.core.accounts.getAccountByUsername('alice');
    assert.deepEqual([me.displayName, me.avatarKey], ['', null]);
  });

  it('saves an avatar and a header; they show on the profile and beside posts, with alt=""', async () => {
    const res = await submitProfile(alice, { display_name: 'Alice', note: 'hi' }, {
      avatar: { data: await noiseImage(500, 300, 'png'), name: 'me.png', type: 'image/png' },
      header: { data: await noiseImage(1200, 400), name: 'sky.jpg', type: 'image/jpeg' },
    });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    assert.equal(res.headers.location, '/settings/profile?saved=1');
    const me = await t.core.accounts.getAccountByUsername('alice');
    assert.equal(me.displayName, 'Alice');
    assert.ok(me.avatarKey && me.avatarSmallKey && me.headerKey);

    await alice.postStatus('a post with my face beside it');
    const profile = await carol.get('/@alice');
    assert.ok(profile.body.includes(`<img class="profile-header" src="/media/${me.headerKey}" alt=""`));
    assert.ok(profile.body.includes(`<img class="avatar avatar-picture avatar-large" src="/media/${me.avatarKey}" alt="">`));
    assert.ok(profile.body.includes(`<img class="avatar avatar-picture avatar-small" src="/media/${me.avatarSmallKey}" alt="" loading="lazy">`), 'the post card');
    for (const src of images(profile.body).filter((s) => s.startsWith('/media/'))) {
      const file = await app.inject({ url: src });
      assert.equal(file.statusCode, 200, src);
      const { width, height } = await sharp(file.rawPayload).metadata();
      assert.deepEqual([width, height], src.endsWith('header.webp') ? [1500, 500] : src.endsWith('avatar-small.webp') ? [96, 96] : [400, 400]);
    }
    const settings = await alice.get('/settings/profile');
    assert.match(settings.body, /<input type="checkbox" name="remove_avatar" value="1"> Remove the avatar/);
    assert.match(settings.body, /<input type="checkbox" name="remove_header" value="1"> Remove the header/);
  });

  it('a file that is no image, or a pixel bomb, is shown on the form and nothing is saved', async () => {
    const before = await t.core.accounts.getAccountByUsername('alice');
    const text = await submitProfile(alice, { display_name: 'Changed', note: '' }, { avatar: { data: Buffer.from('just some text, honestly\n'), name: 'me.jpg', type: 'image/jpeg' } });
    assert.equal(text.statusCode, 422);
    assert.match(text.body, /id="field-avatar-error">The avatar: This file is text/);
    assert.match(text.body, /aria-invalid="true" aria-describedby="field-avatar-hint field-avatar-error"|aria-describedby="field-avatar-hint field-avatar-error" aria-invalid="true"/);
    const bomb = await submitProfile(alice, { display_name: 'Changed', note: '' }, { header: { data: await pngClaiming(30_000, 30_000), name: 'h.png', type: 'image/png' } });
    assert.equal(bomb.statusCode, 422);
    assert.match(bomb.body, /id="field-header-error">The header image: The image is 30000 × 30000 pixels/);
    const tooLong = await submitProfile(alice, { display_name: 'n'.repeat(31), note: '' }, { avatar: { data: await noiseImage(30, 30), name: 'ok.jpg', type: 'image/jpeg' } });
    assert.equal(tooLong.statusCode, 422);
    assert.match(tooLong.body, /id="field-display_name-error">A display name has at most 30 characters/);
    const after = await t.core.accounts.getAccountByUsername('alice');
    assert.deepEqual([after.displayName, after.avatarKey, after.headerKey], [before.displayName, before.avatarKey, before.headerKey]);
  });

  it('"remove" goes back to the initials and the default header, and the old files are gone', async () => {
    const before = await t.core.accounts.getAccountByUsername('alice');
    const res = await submitProfile(alice, { display_name: 'Alice', note: 'hi', remove_avatar: '1', remove_header: '1' });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    const after = await t.core.accounts.getAccountByUsername('alice');
    assert.deepEqual([after.avatarKey, after.avatarSmallKey, after.headerKey], [null, null, null]);
    for (const key of [before.avatarKey, before.avatarSmallKey, before.headerKey]) assert.equal((await app.inject({ url: `/media/${key}` })).statusCode, 404);
    const profile = await carol.get('/@alice');
    assert.doesNotMatch(profile.body, /src="\/media\//);
    assert.match(profile.body, /<span class="avatar avatar-c\d avatar-large" aria-hidden="true">A<\/span>/);
  });
});
