import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { buildApp } from '../../src/web/app.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { apiUser, call, type ApiUser } from '../helpers/api-user.ts';
import { uniqueIp } from '../helpers/browser-session.ts';
import { bearer, registerApp } from '../helpers/oauth.ts';
import { noiseImage, phoneJpeg, pngClaiming } from '../helpers/images.ts';
import { multipartBody } from '../helpers/multipart.ts';

// Avatars and headers through PATCH /api/v1/accounts/update_credentials (multipart files): cropped and
// resized in the request, shown as absolute URLs on the Account, served as images of the promised size;
// a refused file (text, a pixel bomb) is a 422 that changes nothing; the old files go when replaced.

type Json = Record<string, any>;


forEachBackend('API avatars and headers', (t) => {
  let app: FastifyInstance;
  let alice: ApiUser;
  before(
    async () => {
      app = await buildApp(t.core);
      alice = await apiUser(app, t.core, { client: await registerApp(app), prefix: 'alice' });
    },
    { timeout: 60_000 },
  );
  after(async () => {
    await app?.close();
  });

  async function patch(fields: Record<string, string>, files: Record<string, { data: Buffer; name: string; type: string }>) {
    const body = await multipartBody(fields, files);
    return app.inject({
      method: 'PATCH',
      url: '/api/v1/accounts/update_credentials',
      remoteAddress: uniqueIp(),
      headers: { ...bearer(alice.token), 'content-type': body.contentType },
      payload: body.payload,
    });
  }

  async function served(url: string) {
    assert.ok(url.startsWith(`${t.config.publicUrl}/media/profile/`), url);
    const res = await app.inject({ url: new URL(url).pathname });
    assert.equal(res.statusCode, 200, url);
    assert.equal(res.headers['content-type'], 'image/webp');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    return sharp(res.rawPayload).metadata();
  }

  it('an account has the default pictures until it uploads its own', async () => {
    const me = (await call(app, 'GET', '/api/v1/accounts/verify_credentials', { token: alice.token })).json() as Json;
    assert.equal(me.avatar, `${t.config.publicUrl}/assets/avatar.png`);
    assert.equal(me.header_static, `${t.config.publicUrl}/assets/header.png`);
  });

  it('multipart avatar and header are cropped, stored and shown everywhere the Account is', async () => {
    const res = await patch({ display_name: 'Alice Pictured' }, {
      avatar: { data: await phoneJpeg(300, 200, 6), name: 'me.jpg', type: 'image/jpeg' },
      header: { data: await noiseImage(900, 900, 'png'), name: 'sky.png', type: 'image/png' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const me = res.json() as Json;
    assert.equal(me.display_name, 'Alice Pictured');
    assert.match(me.avatar, /\/media\/profile\/[0-9a-f]{32}\/avatar\.webp$/);
    assert.equal(me.avatar_static, me.avatar);
    assert.match(me.header, /\/media\/profile\/[0-9a-f]{32}\/header\.webp$/);
    assert.equal(me.header_static, me.header);
    const avatar = await served(me.avatar);
    assert.deepEqual([avatar.width, avatar.height, avatar.exif], [400, 400, undefined]);
    const small = await served(me.avatar.replace('/avatar.webp', '/avatar-small.webp'));
    assert.deepEqual([small.width, small.height], [96, 96]);
    const header = await served(me.header);
    assert.deepEqual([header.width, header.height], [1500, 500]);
    // The public Account (and so every status of hers) carries the same URLs.
    const pub = (await call(app, 'GET', `/api/v1/accounts/${me.id}`, { token: alice.token })).json() as Json;
    assert.equal(pub.avatar, me.avatar);
    assert.equal(pub.header, me.header);
    // OpenID Connect's userinfo names the same picture.
    const info = (await call(app, 'GET', '/oauth/userinfo', { token: alice.token })).json() as Json;
    assert.equal(info.picture, me.avatar);

    // A new avatar replaces the old, whose files are then gone; the header stays.
    const again = await patch({}, { avatar: { data: await noiseImage(50, 80, 'webp'), name: 'x.webp', type: 'image/webp' } });
    assert.equal(again.statusCode, 200, again.body);
    const next = again.json() as Json;
    assert.notEqual(next.avatar, me.avatar);
    assert.equal(next.header, me.header);
    assert.deepEqual([(await served(next.avatar)).width, (await served(next.avatar)).height], [400, 400]);
    assert.equal((await app.inject({ url: new URL(me.avatar).pathname })).statusCode, 404);
  });

  it('a text file and a pixel bomb are refused with 422, and nothing changes', async () => {
    const before = (await call(app, 'GET', '/api/v1/accounts/verify_credentials', { token: alice.token })).json() as Json;
    const text = await patch({ display_name: 'Changed?' }, { avatar: { data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), name: 'a.png', type: 'image/png' } });
    assert.equal(text.statusCode, 422, text.body);
    assert.match((text.json() as Json).error, /avatar.*text.*JPEG, PNG/i);
    const bomb = await patch({}, { header: { data: await pngClaiming(30_000, 30_000), name: 'bomb.png', type: 'image/png' } });
    assert.equal(bomb.statusCode, 422, bomb.body);
    assert.match((bomb.json() as Json).error, /30000 × 30000 pixels/);
    // A picture that is fine with a display name that is not: refused before the picture is kept.
    const tooLong = await patch({ display_name: 'x'.repeat(31) }, { avatar: { data: await noiseImage(20, 20), name: 'ok.jpg', type: 'image/jpeg' } });
    assert.equal(tooLong.statusCode, 422, tooLong.body);
    assert.match((tooLong.json() as Json).error, /display name has at most 30/);
    const wrongPart = await patch({}, { picture: { data: await noiseImage(10, 10), name: 'p.jpg', type: 'image/jpeg' } });
    assert.equal(wrongPart.statusCode, 422, wrongPart.body);
    const after = (await call(app, 'GET', '/api/v1/accounts/verify_credentials', { token: alice.token })).json() as Json;
    assert.deepEqual([after.display_name, after.avatar, after.header], [before.display_name, before.avatar, before.header]);
  });

  it('DELETE /api/v1/profile/avatar and /header go back to the defaults and remove the files', async () => {
    const me = (await call(app, 'GET', '/api/v1/accounts/verify_credentials', { token: alice.token })).json() as Json;
    assert.match(me.avatar, /\/media\/profile\//);
    const avatar = await call(app, 'DELETE', '/api/v1/profile/avatar', { token: alice.token });
    assert.equal(avatar.statusCode, 200, avatar.body);
    assert.equal((avatar.json() as Json).avatar, `${t.config.publicUrl}/assets/avatar.png`);
    assert.equal((avatar.json() as Json).header, me.header, 'the header stays');
    assert.equal((await app.inject({ url: new URL(me.avatar).pathname })).statusCode, 404);
    const header = await call(app, 'DELETE', '/api/v1/profile/header', { token: alice.token });
    assert.equal((header.json() as Json).header_static, `${t.config.publicUrl}/assets/header.png`);
    assert.equal((await app.inject({ url: new URL(me.header).pathname })).statusCode, 404);
    // Again: nothing to remove is not an error.
    assert.equal((await call(app, 'DELETE', '/api/v1/profile/header', { token: alice.token })).statusCode, 200);
  });

  it('a JSON body still works, and a text avatar value is refused with what to send', async () => {
    const ok = await call(app, 'PATCH', '/api/v1/accounts/update_credentials', { token: alice.token, payload: { note: 'hello' } });
    assert.equal(ok.statusCode, 200, ok.body);
    const bad = await call(app, 'PATCH', '/api/v1/accounts/update_credentials', { token: alice.token, payload: { avatar: 'https://example.com/a.png' } });
    assert.equal(bad.statusCode, 422);
    assert.match((bad.json() as Json).error, /multipart/);
  });
});
