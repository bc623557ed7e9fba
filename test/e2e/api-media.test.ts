import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import sharp from 'sharp';
import { buildApp } from '../../src/web/app.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { assertStatusShape } from '../helpers/mastodon-entities.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { apiUser, call, type ApiUser } from '../helpers/api-user.ts';
import { uniqueIp } from '../helpers/browser-session.ts';
import { bearer, registerApp } from '../helpers/oauth.ts';
import { noiseImage, phoneJpeg, truncatedPng } from '../helpers/images.ts';
import { UPLOAD_WAITS_FOR_PROCESSING, waitForQueuesDrained } from '../helpers/wait.ts';
import { ffmpegMissing } from '../helpers/av-media.ts';
import { multipartBody, type FilePart } from '../helpers/multipart.ts';

// The media endpoints over HTTP with tokens from the real OAuth dance, a worker running the pipeline:
// uploads (v2 and v1) answered with complete MediaAttachments once processed, owner-only reads and
// changes, 206/200/422/404, media_ids on a new status, the files served with safe headers, and the
// instance telling the true limits.

type Json = Record<string, any>;

const MEDIA_KEYS = ['id', 'type', 'url', 'preview_url', 'remote_url', 'preview_remote_url', 'text_url', 'meta', 'description', 'blurhash'];
const LIMIT = 2 * 1024 * 1024;

/** A multipart body as a browser's FormData makes it (the file with the name and type a client gives). */
function multipart(fields: Record<string, string>, file?: FilePart & { field?: string }) {
  return multipartBody(fields, file ? { [file.field ?? 'file']: file } : {});
}

function assertMediaShape(m: Json): void {
  assert.deepEqual(Object.keys(m).sort(), [...MEDIA_KEYS].sort());
  assert.match(m.id, /^\d+$/);
  assert.equal(m.remote_url, null);
  assert.equal(m.preview_remote_url, null);
  assert.equal(m.text_url, null);
  assert.equal(typeof m.meta.focus.x, 'number');
}

forEachBackend(
  'API media',
  (t) => {
    let app: FastifyInstance;
    let worker: RunningWorker;
    let alice: ApiUser;
    let bob: ApiUser;
    before(
      async () => {
        worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
        app = await buildApp(t.core);
        const client = await registerApp(app);
        alice = await apiUser(app, t.core, { client, prefix: 'alice' });
        bob = await apiUser(app, t.core, { client, prefix: 'bob' });
      },
      { timeout: 60_000 },
    );
    after(async () => {
      await app?.close();
      await worker?.stop();
    });

    async function upload(token: string, file: Buffer | undefined, fields: Record<string, string> = {}, options: { version?: 'v1' | 'v2'; name?: string; type?: string; field?: string } = {}) {
      const body = await multipart(fields, file ? { data: file, name: options.name ?? 'photo.jpg', type: options.type ?? 'image/jpeg', ...(options.field ? { field: options.field } : {}) } : undefined);
      return app.inject({
        method: 'POST',
        url: `/api/${options.version ?? 'v2'}/media`,
        remoteAddress: uniqueIp(),
        headers: { ...bearer(token), 'content-type': body.contentType },
        payload: body.payload,
      });
    }

    it('POST /api/v2/media answers a processed image 200, typed by its content (a PNG sent as image/jpeg)', async () => {
      const res = await upload(alice.token, await noiseImage(800, 600, 'png'), { description: 'a square of noise', focus: '0.1,0.2' }, { name: 'picture.jpg', type: 'image/jpeg' });
      assert.equal(res.statusCode, 200, res.body);
      const m = res.json() as Json;
      assertMediaShape(m);
      assert.equal(m.type, 'image');
      assert.match(m.url, new RegExp(`^${t.config.publicUrl}/media/[0-9a-f]{32}/original\\.png$`));
      assert.match(m.preview_url, /\/small\.webp$/);
      assert.deepEqual(m.meta, {
        original: { width: 800, height: 600, size: '800x600', aspect: 1.333333 },
        small: { width: 640, height: 480, size: '640x480', aspect: 1.333333 },
        focus: { x: 0.1, y: 0.2 },
      });
      assert.equal(m.description, 'a square of noise');
      assert.equal(typeof m.blurhash, 'string');

      const file = await app.inject({ url: new URL(m.url).pathname });
      assert.equal(file.statusCode, 200);
      assert.equal(file.headers['content-type'], 'image/png');
      assert.equal(file.headers['x-content-type-options'], 'nosniff');
      assert.equal(file.headers['content-security-policy'], "default-src 'none'; sandbox");
      assert.equal(file.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(Number(file.headers['content-length']), file.rawPayload.length);
      assert.equal((await sharp(file.rawPayload).metadata()).format, 'png');
      const preview = await app.inject({ url: new URL(m.preview_url).pathname });
      assert.equal(preview.headers['content-type'], 'image/webp');
      for (const path of ['/media/nothing', '/media/../../etc/passwd', `/media/incoming/${new URL(m.url).pathname.split('/')[2]}`, '/media/0123456789abcdef0123456789abcdef/original.png']) {
        assert.equal((await app.inject({ url: path })).statusCode, 404, path);
      }
    });

    it('POST /api/v1/media answers 200 too; GPS and orientation are handled', async () => {
      const res = await upload(alice.token, await phoneJpeg(120, 80, 6), {}, { version: 'v1' });
      assert.equal(res.statusCode, 200, res.body);
      const m = res.json() as Json;
      assert.deepEqual([m.meta.original.width, m.meta.original.height], [80, 120]);
      assert.equal(m.description, null);
      const file = await app.inject({ url: new URL(m.url).pathname });
      assert.equal((await sharp(file.rawPayload).metadata()).exif, undefined);
      assert.ok(!file.rawPayload.includes('PipitTestCam'));
    });

    it('bad uploads are 4xx naming what to fix', async () => {
      const text = await upload(alice.token, Buffer.from('hello, I am text\n'), {}, { name: 'cat.jpg' });
      assert.equal(text.statusCode, 422, text.body);
      assert.match(text.json().error, /text .*not an image/);
      const svg = await upload(alice.token, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), {}, { name: 'a.png', type: 'image/png' });
      assert.equal(svg.statusCode, 422);
      const none = await upload(alice.token, undefined, { description: 'no file' });
      assert.equal(none.statusCode, 422);
      assert.match(none.json().error, /file is missing/);
      const json = await call(app, 'POST', '/api/v2/media', { token: alice.token, payload: { file: 'x' } });
      assert.equal(json.statusCode, 422);
      assert.match(json.json().error, /multipart/);
      const long = await upload(alice.token, await noiseImage(10, 10), { description: 'x'.repeat(1501) });
      assert.equal(long.statusCode, 422);
      assert.match(long.json().error, /1500 characters/);
      const lateForm = new FormData();
      lateForm.append('file', new Blob([new Uint8Array(await noiseImage(10, 10))]), 'a.jpg');
      lateForm.append('focus', '9,9');
      const lateRequest = new Request('http://localhost/', { method: 'POST', body: lateForm });
      const late = await app.inject({
        method: 'POST',
        url: '/api/v2/media',
        headers: { ...bearer(alice.token), 'content-type': lateRequest.headers.get('content-type')! },
        payload: Buffer.from(await lateRequest.arrayBuffer()),
      });
      assert.equal(late.statusCode, 422, 'a bad focus after the file');
      assert.match(late.json().error, /focus/);
      const whole = await multipart({}, { data: await noiseImage(100, 100), name: 'a.jpg', type: 'image/jpeg' });
      const cut = await app.inject({
        method: 'POST',
        url: '/api/v2/media',
        headers: { ...bearer(alice.token), 'content-type': whole.contentType },
        payload: whole.payload.subarray(0, Math.floor(whole.payload.length / 2)),
      });
      assert.equal(cut.statusCode, 400, `a body cut off mid-file: ${cut.body}`);
      assert.match(cut.json().error, /interrupted/);
      const big = Buffer.alloc(LIMIT + 10, 0xff);
      big.set([0xff, 0xd8, 0xff], 0);
      const tooLarge = await upload(alice.token, big);
      assert.equal(tooLarge.statusCode, 413, tooLarge.body);
      const truncated = await upload(alice.token, await truncatedPng(), {}, { name: 'x.png' });
      assert.equal(truncated.statusCode, 422, 'processing failed within the wait');
      assert.match(truncated.json().error, /truncated or corrupt/);
    });

    it('scopes: write:media uploads; read alone cannot; no token is 401', async () => {
      const readOnly = await alice.tokenFor('read');
      assert.equal((await upload(readOnly, await noiseImage(8, 8))).statusCode, 403);
      assert.equal((await upload(await alice.tokenFor('write:media'), await noiseImage(8, 8))).statusCode, 200);
      const anonymous = await app.inject({ method: 'POST', url: '/api/v2/media', headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x--\r\n' });
      assert.equal(anonymous.statusCode, 401);
    });

    it('GET, PUT and DELETE /api/v1/media/:id are the owner\'s alone', async () => {
      const m = (await upload(alice.token, await noiseImage(20, 20))).json() as Json;
      const got = await call(app, 'GET', `/api/v1/media/${m.id}`, { token: alice.token });
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json(), m);
      for (const [method, payload] of [['GET', undefined], ['PUT', { description: 'mine' }], ['DELETE', undefined]] as const) {
        const res = await call(app, method, `/api/v1/media/${m.id}`, { token: bob.token, payload });
        assert.equal(res.statusCode, 404, `${method} by another`);
        assert.deepEqual(res.json(), { error: 'Record not found' });
      }
      assert.equal((await call(app, 'GET', '/api/v1/media/abc', { token: alice.token })).statusCode, 404);
      const put = await call(app, 'PUT', `/api/v1/media/${m.id}`, { token: alice.token, payload: { description: 'alt text', focus: '-0.5,0.5' } });
      assert.equal(put.statusCode, 200, put.body);
      assert.equal(put.json().description, 'alt text');
      assert.deepEqual(put.json().meta.focus, { x: -0.5, y: 0.5 });
      const badFocus = await call(app, 'PUT', `/api/v1/media/${m.id}`, { token: alice.token, payload: { focus: '3,0' } });
      assert.equal(badFocus.statusCode, 422);
      const deleted = await call(app, 'DELETE', `/api/v1/media/${m.id}`, { token: alice.token });
      assert.equal(deleted.statusCode, 200);
      assert.deepEqual(deleted.json(), {});
      assert.equal((await call(app, 'GET', `/api/v1/media/${m.id}`, { token: alice.token })).statusCode, 404);
      assert.equal((await app.inject({ url: new URL(m.url).pathname })).statusCode, 404, 'its file is gone');
    });

    it('GET answers 206 while processing, then 200; a failed one 422 with its reason', async () => {
      await worker.stop();
      let id: string;
      let failedId: string;
      try {
        id = (await t.core.media.uploadMedia(alice.id, { file: await noiseImage(30, 30) })).id;
        failedId = (await t.core.media.uploadMedia(alice.id, { file: await truncatedPng() })).id;
        const processing = await call(app, 'GET', `/api/v1/media/${id}`, { token: alice.token });
        assert.equal(processing.statusCode, 206);
        assertMediaShape(processing.json());
        assert.equal(processing.json().url, null);
        assert.equal(processing.json().preview_url, null);
        assert.deepEqual(processing.json().meta, { original: null, small: null, focus: { x: 0, y: 0 } });
        const put = await call(app, 'PUT', `/api/v1/media/${id}`, { token: alice.token, payload: { description: 'while it works' } });
        assert.equal(put.statusCode, 206);
        const early = await call(app, 'POST', '/api/v1/statuses', { token: alice.token, payload: { status: 'too soon', media_ids: [id] } });
        assert.equal(early.statusCode, 422);
        assert.match(early.json().error, /Cannot attach files that have not finished processing/);
      } finally {
        worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      }
      await waitForQueuesDrained(t.core, ['media-probe', 'media-image']);
      const ready = await call(app, 'GET', `/api/v1/media/${id}`, { token: alice.token });
      assert.equal(ready.statusCode, 200);
      assert.equal(ready.json().description, 'while it works');
      const failed = await call(app, 'GET', `/api/v1/media/${failedId}`, { token: alice.token });
      assert.equal(failed.statusCode, 422);
      assert.match(failed.json().error, /truncated or corrupt/);
    });

    it('POST /api/v1/statuses takes media_ids[]: the Status carries complete attachments', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(((await upload(alice.token, await noiseImage(50 + i, 50), { description: `picture ${i}` })).json() as Json).id);
      const res = await call(app, 'POST', '/api/v1/statuses', { token: alice.token, payload: { media_ids: [ids[1], ids[0]] } });
      assert.equal(res.statusCode, 200, res.body);
      const s = res.json() as Json;
      assertStatusShape(s);
      assert.equal(s.content, '');
      assert.deepEqual(s.media_attachments.map((m: Json) => m.id), [ids[1], ids[0]]);
      for (const m of s.media_attachments) assertMediaShape(m);
      assert.equal(s.media_attachments[0].description, 'picture 1');
      const again = await call(app, 'GET', `/api/v1/statuses/${s.id}`, { token: bob.token });
      assert.deepEqual(again.json().media_attachments, s.media_attachments);
      const page = await app.inject({ url: `/@${alice.username}/${s.id}` });
      assert.equal(page.statusCode, 200);
      const small = new URL(s.media_attachments[0].preview_url).pathname;
      const original = new URL(s.media_attachments[0].url).pathname;
      assert.ok(page.body.includes(`<a href="${original}" class="media-link">`), 'the website links the picture to its original');
      assert.ok(page.body.includes(`<img class="media-image" src="${small}" alt="picture 1" width="51" height="50" loading="lazy"></a>`), 'the website shows the pictures with their alt text');
      assert.ok(!page.body.includes('post-sensitive'));
      const home = await call(app, 'GET', `/api/v1/accounts/${alice.id}/statuses`, { token: bob.token });
      assert.deepEqual(home.json()[0].media_attachments, s.media_attachments);

      const tagged = await call(app, 'POST', '/api/v1/statuses', { token: alice.token, payload: { status: 'pictures #gallery', media_ids: [ids[3]] } });
      assert.equal(tagged.statusCode, 200);
      await call(app, 'POST', '/api/v1/statuses', { token: alice.token, payload: { status: 'words only #gallery' } });
      const onlyMedia = async (path: string) => ((await call(app, 'GET', path, { token: bob.token })).json() as Json[]).map((x) => x.id);
      assert.deepEqual(await onlyMedia('/api/v1/timelines/public?only_media=true&limit=40'), [tagged.json().id, s.id], 'only_media: the posts with attachments');
      assert.deepEqual(await onlyMedia('/api/v1/timelines/tag/gallery?only_media=true'), [tagged.json().id]);
      assert.deepEqual(await onlyMedia(`/api/v1/accounts/${alice.id}/statuses?only_media=true`), [tagged.json().id, s.id]);

      const form = await app.inject({
        method: 'POST',
        url: '/api/v1/statuses',
        headers: { ...bearer(alice.token), 'content-type': 'application/x-www-form-urlencoded' },
        payload: `status=form&media_ids[]=${ids[2]}`,
      });
      assert.equal(form.statusCode, 200, form.body);
      assert.equal(form.json().media_attachments[0].id, ids[2]);

      const cases: [Json, RegExp][] = [
        [{ status: 'x', media_ids: [ids[4], ids[0], ids[1], ids[2], ids[3]] }, /at most 4 attachments/],
        [{ status: 'x', media_ids: [ids[0]] }, /already attached/],
        [{ status: 'x', media_ids: ['12345'] }, /not one of your uploads/],
      ];
      for (const [payload, message] of cases) {
        const r = await call(app, 'POST', '/api/v1/statuses', { token: alice.token, payload });
        assert.equal(r.statusCode, 422, r.body);
        assert.match(r.json().error, message);
      }
      const bobs = await call(app, 'POST', '/api/v1/statuses', { token: bob.token, payload: { status: 'taking hers', media_ids: [ids[4]] } });
      assert.equal(bobs.statusCode, 422);
      assert.match(bobs.json().error, /not one of your uploads/);
      const attached = await call(app, 'DELETE', `/api/v1/media/${ids[0]}`, { token: alice.token });
      assert.equal(attached.statusCode, 422);
      const sensitive = await call(app, 'POST', '/api/v1/statuses', { token: alice.token, payload: { status: 'careful', sensitive: true, media_ids: [ids[5]] } });
      assert.equal(sensitive.statusCode, 200, sensitive.body);
      assert.equal(sensitive.json().sensitive, true);
      const folded = await app.inject({ url: `/@${alice.username}/${sensitive.json().id}` });
      assert.match(folded.body, /<details class="post-sensitive"><summary>Sensitive pictures: show<\/summary><ul class="post-media post-media-1">/);
    });

    it('the instance tells the media limits that hold', async () => {
      for (const path of ['/api/v2/instance', '/api/v1/instance']) {
        const c = (await app.inject({ url: path })).json().configuration as Json;
        assert.equal(c.statuses.max_media_attachments, 4);
        // HEIC where heif-convert is installed (api-media-heic.test.ts checks both ways), then video and
        // audio types when ffmpeg is installed (api-media-video.test.ts).
        const heic = t.config.mediaHeifConvert !== undefined ? ['image/heic', 'image/heif'] : [];
        assert.deepEqual(c.media_attachments.supported_mime_types.slice(0, 5 + heic.length), ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', ...heic]);
        assert.equal(c.media_attachments.supported_mime_types.includes('video/mp4'), ffmpegMissing === undefined);
        assert.equal(c.media_attachments.image_size_limit, LIMIT);
        assert.equal(c.media_attachments.image_matrix_limit, 33_177_600);
        assert.equal(c.media_attachments.description_limit, 1500);
        assert.equal(c.media_attachments.video_size_limit, ffmpegMissing === undefined ? t.config.mediaMaxVideoBytes : 0);
      }
    });
  },
  { env: { ...UPLOAD_WAITS_FOR_PROCESSING, MEDIA_MAX_IMAGE_BYTES: String(LIMIT) }, core: { jobs: { pollingIntervalSeconds: 0.5 } } },
);

// With no wait for processing, a v2 upload is answered at once: 202, url null, and the client polls.
forEachBackend(
  'API media without waiting',
  (t) => {
    let app: FastifyInstance;
    let alice: ApiUser;
    before(async () => {
      app = await buildApp(t.core);
      alice = await apiUser(app, t.core, { prefix: 'alice' });
    });
    after(() => app?.close());

    it('POST /api/v2/media answers 202 with url null while it is processed', async () => {
      const body = await multipart({}, { data: await noiseImage(10, 10), name: 'a.jpg', type: 'image/jpeg' });
      const res = await app.inject({ method: 'POST', url: '/api/v2/media', headers: { ...bearer(alice.token), 'content-type': body.contentType }, payload: body.payload });
      assert.equal(res.statusCode, 202, res.body);
      assertMediaShape(res.json());
      assert.equal(res.json().url, null);
      const polled = await call(app, 'GET', `/api/v1/media/${res.json().id}`, { token: alice.token });
      assert.equal(polled.statusCode, 206);
    });

    it('an account uploads at most 30 files in 30 minutes; the next is a 429 saying when to try again', async () => {
      const file = await multipart({}, { data: await noiseImage(4, 4), name: 'a.jpg', type: 'image/jpeg' });
      const send = () => app.inject({ method: 'POST', url: '/api/v2/media', remoteAddress: uniqueIp(), headers: { ...bearer(alice.token), 'content-type': file.contentType }, payload: file.payload });
      // One upload above was already counted.
      for (let i = 1; i < 30; i++) assert.equal((await send()).statusCode, 202, `upload ${i + 1}`);
      const refused = await send();
      assert.equal(refused.statusCode, 429, refused.body);
      assert.ok(Number(refused.headers['retry-after']) > 0);
    });
  },
  { env: { MEDIA_UPLOAD_WAIT_SECONDS: '0' } },
);
