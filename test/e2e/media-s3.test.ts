import assert from 'node:assert/strict';
import { after, afterEach, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import sharp from 'sharp';
import { s3Storage } from '../../src/core/storage/s3.ts';
import { buildApp } from '../../src/web/app.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { apiUser, call, type ApiUser } from '../helpers/api-user.ts';
import { LogCapture, uniqueIp } from '../helpers/browser-session.ts';
import { bearer, registerApp } from '../helpers/oauth.ts';
import { noiseImage } from '../helpers/images.ts';
import { startTestS3 } from '../helpers/s3.ts';
import { UPLOAD_WAITS_FOR_PROCESSING, waitFor, waitForQueuesDrained } from '../helpers/wait.ts';
import { multipartBody } from '../helpers/multipart.ts';

// The media pipeline end to end on an S3-compatible store (s3rver in this process, behind a proxy the
// tests cut): an upload through the API is stored in the bucket, processed by a worker from it, and
// served at /media/<key> read back from it; with MEDIA_PUBLIC_URL the entities point at the store itself.
// The store unreachable: an upload is a clear 503, a pipeline step is retried and succeeds once the
// store is back, or marks the attachment failed after its last attempt (never "processing" forever).

type Json = Record<string, any>;

const BUCKET = 'pipit-e2e';
const s3 = await startTestS3([BUCKET]);
after(() => s3.close());

const MEDIA_QUEUES = ['media-probe', 'media-image'];
const FAST_JOBS = {
  superviseIntervalSeconds: 1,
  pollingIntervalSeconds: 0.5,
  queueOverrides: {
    'media-probe': { retryLimit: 2, retryDelay: 1, retryDelayMax: 1 },
    'media-image': { retryLimit: 2, retryDelay: 1, retryDelayMax: 1 },
  },
};

/** Uploads past this are refused: larger than one 5 MiB part, so the S3 store's multipart path is taken. */
const LIMIT = 6 * 1024 * 1024;

function multipart(file: Buffer) {
  return multipartBody({}, { file: { data: file, name: 'picture.png', type: 'image/png' } });
}

forEachBackend(
  'media on S3 storage',
  (t) => {
    let app: FastifyInstance;
    let worker: RunningWorker | undefined;
    let alice: ApiUser;
    const logs = new LogCapture();
    const startTheWorker = async () => {
      worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
    };
    before(
      async () => {
        app = await buildApp(t.core, { logStream: logs });
        alice = await apiUser(app, t.core, { client: await registerApp(app), prefix: 'alice' });
      },
      { timeout: 60_000 },
    );
    afterEach(async () => {
      // Every test leaves the store reachable and its jobs finished, whatever it did.
      await s3.restore();
      if (worker) await waitForQueuesDrained(t.core, MEDIA_QUEUES);
      await worker?.stop();
      worker = undefined;
    });
    after(async () => {
      await app?.close();
    });

    /** Every key in the bucket, read with the storage's own listing. */
    async function bucketKeys(): Promise<string[]> {
      const keys: string[] = [];
      for await (const entry of s3Storage(s3.settings(BUCKET), '').list()) keys.push(entry.key);
      return keys.sort();
    }

    async function upload(file: Buffer) {
      const body = await multipart(file);
      return app.inject({ method: 'POST', url: '/api/v2/media', remoteAddress: uniqueIp(), headers: { ...bearer(alice.token), 'content-type': body.contentType }, payload: body.payload });
    }

    it('an upload through the API is processed from the bucket and served at /media/<key> with the same headers', async () => {
      await startTheWorker();
      const png = await noiseImage(640, 480, 'png');
      const res = await upload(png);
      assert.equal(res.statusCode, 200, res.body);
      const m = res.json() as Json;
      assert.match(m.url, new RegExp(`^${t.config.publicUrl}/media/[0-9a-f]{32}/original\\.png$`));
      assert.equal(m.meta.original.width, 640);
      assert.equal(m.meta.original.height, 480);
      const file = await app.inject({ method: 'GET', url: new URL(m.url).pathname });
      assert.equal(file.statusCode, 200);
      assert.equal(file.headers['content-type'], 'image/png');
      assert.equal(file.headers['x-content-type-options'], 'nosniff');
      assert.equal(file.headers['content-security-policy'], "default-src 'none'; sandbox");
      assert.equal(file.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(Number(file.headers['content-length']), file.rawPayload.length);
      assert.ok(file.rawPayload.length > 1000);
      const preview = await app.inject({ method: 'GET', url: new URL(m.preview_url).pathname });
      assert.equal(preview.statusCode, 200);
      assert.equal(preview.headers['content-type'], 'image/webp');
      // In the bucket itself, where another machine's process reads it.
      const direct = await fetch(`${s3.endpoint}/${BUCKET}${new URL(m.url).pathname.slice('/media'.length)}`);
      assert.equal(direct.status, 200);
      assert.deepEqual(Buffer.from(await direct.arrayBuffer()), file.rawPayload);
      // A key the bucket does not have is a 404, as on the local disk.
      assert.equal((await app.inject({ method: 'GET', url: '/media/0123456789abcdef0123456789abcdef/original.png' })).statusCode, 404);
    });

    it('bad uploads keep their own answers on S3 and leave nothing in the bucket: too large (past one part) 413, a text file 422, a cut body 400', async () => {
      const before = await bucketKeys();
      const big = Buffer.alloc(LIMIT + 1024 * 1024, 0xff);
      big.set([0xff, 0xd8, 0xff], 0);
      const tooLarge = await upload(big);
      assert.equal(tooLarge.statusCode, 413, tooLarge.body);
      const text = await upload(Buffer.from('hello, this is not a picture at all, just some text that goes on and on\n'.repeat(20)));
      assert.equal(text.statusCode, 422, text.body);
      const whole = await multipart(await noiseImage(400, 300, 'png'));
      const cut = await app.inject({
        method: 'POST',
        url: '/api/v2/media',
        remoteAddress: uniqueIp(),
        headers: { ...bearer(alice.token), 'content-type': whole.contentType },
        payload: whole.payload.subarray(0, Math.floor(whole.payload.length / 2)),
      });
      assert.equal(cut.statusCode, 400, cut.body);
      assert.deepEqual(await bucketKeys(), before);
    });

    it('while the store is unreachable an upload is a 503 that says so, and served files too; both work again once it is back', async () => {
      await startTheWorker();
      const before = await upload(await noiseImage(64, 64, 'png'));
      assert.equal(before.statusCode, 200, before.body);
      const path = new URL((before.json() as Json).url).pathname;
      await s3.cut();
      const res = await upload(await noiseImage(64, 64, 'png'));
      assert.equal(res.statusCode, 503, res.body);
      assert.match((res.json() as Json).error, /cannot reach its media storage/);
      assert.equal(res.headers['retry-after'], '30');
      const file = await app.inject({ method: 'GET', url: path });
      assert.equal(file.statusCode, 503);
      assert.match(file.body, /cannot reach its media storage/);
      for (let i = 0; i < 5; i++) assert.equal((await app.inject({ method: 'GET', url: path })).statusCode, 503);
      // Logged once per interval by each scope (with the store's own error), not at every request; the
      // upload's line names the write that failed; never the credentials.
      const reports = logs.records().filter((r) => r.msg === 'media storage unreachable: answering 503').map((r) => JSON.stringify(r));
      assert.equal(reports.filter((r) => /S3 GetObject failed/.test(r)).length, 1, logs.text());
      assert.equal(reports.filter((r) => /S3 upload failed: .*ECONNREFUSED/.test(r)).length, 1, logs.text());
      assert.equal(reports.length, 2, logs.text());
      assert.doesNotMatch(logs.text(), new RegExp(s3.env(BUCKET).S3_SECRET_ACCESS_KEY!));
      await s3.restore();
      assert.equal((await upload(await noiseImage(64, 64, 'png'))).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: path })).statusCode, 200);
    });

    it('a pipeline step that meets the store down is retried, and the attachment gets ready once the store is back', async () => {
      // Uploaded while no worker runs, so the first attempt is sure to meet the store cut off.
      const media = await t.core.media.uploadMedia(alice.id, { file: await noiseImage(200, 100, 'png') });
      await s3.cut();
      const since = new Date(Date.now() - 1000);
      await startTheWorker();
      await waitFor(async () => (await t.core.jobs.recentFailures(50)).some((f) => f.queue === 'media-probe' && f.at >= since && /S3 GetObject failed/.test(f.error)), {
        what: 'a media-probe attempt to fail on the unreachable store',
      });
      assert.equal((await t.core.media.getMedia(alice.id, media.id)).state, 'processing');
      await s3.restore();
      const ready = await waitFor(async () => {
        const m = await t.core.media.getMedia(alice.id, media.id);
        return m.state === 'ready' ? m : undefined;
      }, { what: 'the attachment to get ready once the store is back' });
      const got = await call(app, 'GET', `/api/v1/media/${media.id}`, { token: alice.token });
      assert.equal(got.statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: `/media/${ready.originalKey}` })).statusCode, 200);
    });

    it('a store down for longer than every attempt marks the attachment failed with its reason (never processing forever)', async () => {
      const media = await t.core.media.uploadMedia(alice.id, { file: await noiseImage(200, 100, 'png') });
      await s3.cut();
      await startTheWorker();
      await waitFor(async () => (await t.core.media.getMedia(alice.id, media.id)).state === 'failed', { what: 'the attachment to be marked failed after the last attempt' });
      const got = await call(app, 'GET', `/api/v1/media/${media.id}`, { token: alice.token });
      assert.equal(got.statusCode, 422);
      assert.match((got.json() as Json).error, /Processing failed repeatedly/);
    });
  },
  { env: { ...s3.env(BUCKET), ...UPLOAD_WAITS_FOR_PROCESSING, MEDIA_MAX_IMAGE_BYTES: String(LIMIT), LOG_LEVEL: 'info' }, core: { jobs: FAST_JOBS } },
);

forEachBackend(
  'media on S3 served by the store itself (MEDIA_PUBLIC_URL)',
  (t) => {
    let app: FastifyInstance;
    let worker: RunningWorker;
    let alice: ApiUser;
    const publicBase = `${s3.endpoint}/${BUCKET}`;
    before(
      async () => {
        worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
        app = await buildApp(t.core);
        alice = await apiUser(app, t.core, { client: await registerApp(app), prefix: 'alice' });
      },
      { timeout: 60_000 },
    );
    after(async () => {
      await app?.close();
      await worker?.stop();
    });

    it('entities point at MEDIA_PUBLIC_URL, which serves the file with its type and cache; /media/<key> redirects there', async () => {
      const body = await multipart(await noiseImage(320, 200, 'png'));
      const res = await app.inject({ method: 'POST', url: '/api/v2/media', remoteAddress: uniqueIp(), headers: { ...bearer(alice.token), 'content-type': body.contentType }, payload: body.payload });
      assert.equal(res.statusCode, 200, res.body);
      const m = res.json() as Json;
      const key = /^[0-9a-f]{32}\/original\.png$/;
      assert.ok(m.url.startsWith(`${publicBase}/`), m.url);
      assert.match(m.url.slice(publicBase.length + 1), key);
      assert.ok(m.preview_url.startsWith(`${publicBase}/`), m.preview_url);
      // The store serves it, with the headers stored beside it.
      const direct = await fetch(m.url);
      assert.equal(direct.status, 200);
      assert.equal(direct.headers.get('content-type'), 'image/png');
      assert.equal(direct.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      const bytes = Buffer.from(await direct.arrayBuffer());
      assert.equal((await sharpSize(bytes)).width, 320);
      // A post's entity says the same.
      const post = await call(app, 'POST', '/api/v1/statuses', { token: alice.token, payload: { status: 'on the store', media_ids: [m.id] } });
      assert.equal(post.statusCode, 200, post.body);
      assert.equal((post.json() as Json).media_attachments[0].url, m.url);
      // The website's pages link /media/<key>: a permanent redirect to the store.
      const path = `/media/${m.url.slice(publicBase.length + 1)}`;
      const redirect = await app.inject({ method: 'GET', url: path });
      assert.equal(redirect.statusCode, 301);
      assert.equal(redirect.headers.location, m.url);
      // Only keys Pipit serves are redirected; anything else stays a 404.
      assert.equal((await app.inject({ method: 'GET', url: '/media/incoming/0123456789abcdef0123456789abcdef' })).statusCode, 404);
    });
  },
  { env: { ...s3.env(BUCKET), ...UPLOAD_WAITS_FOR_PROCESSING, MEDIA_PUBLIC_URL: `${s3.endpoint}/${BUCKET}/` } },
);

function sharpSize(data: Buffer) {
  return sharp(data).metadata();
}
