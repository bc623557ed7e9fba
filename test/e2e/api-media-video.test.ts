import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/web/app.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { animatedGif, ffmpegMissing, oggOpus, testVideo } from '../helpers/av-media.ts';
import { apiUser, call, type ApiUser } from '../helpers/api-user.ts';
import { uniqueIp } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { bearer } from '../helpers/oauth.ts';
import { waitForQueuesDrained } from '../helpers/wait.ts';
import { multipartBody, type FilePart } from '../helpers/multipart.ts';

// Video, gifv and audio over HTTP, as a Mastodon client and a browser meet them: POST /api/v2/media
// answers 202 at once with `url: null`; GET /api/v1/media/:id is 206 while processing, 200 when ready
// (with the video's meta), 422 with the reason when it failed; a status refuses media still processing;
// the instance announces the video types and limits; the website shows a processing box, a failed box,
// then a player with its poster. The worker is started only when the test wants the pipeline to run, so
// "still processing" is a state the test holds, not a race it hopes to win.

type Json = Record<string, any>;

const MEDIA_QUEUES = ['media-probe', 'media-image', 'media-video', 'media-thumbnail'];

function multipart(file: FilePart, fields: Record<string, string> = {}) {
  return multipartBody(fields, { file });
}

describe('API and website media: video, gifv, audio', { skip: ffmpegMissing ?? false }, () => {
  forEachBackend(
    'API and website video',
    (t) => {
      let app: FastifyInstance;
      let worker: RunningWorker | undefined;
      let alice: ApiUser;
      before(
        async () => {
          app = await buildApp(t.core);
          alice = await apiUser(app, t.core, { prefix: 'alice' });
        },
        { timeout: 60_000 },
      );
      after(async () => {
        await app?.close();
        await worker?.stop();
      });

      /** Runs the pipeline until every media queue is drained, then stops it again. */
      async function runPipeline(): Promise<void> {
        worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
        await waitForQueuesDrained(t.core, MEDIA_QUEUES);
        await worker.stop();
        worker = undefined;
      }

      async function upload(data: Buffer, name: string, type: string) {
        const body = await multipart({ data, name, type }, { description: `the ${name}` });
        return app.inject({ method: 'POST', url: '/api/v2/media', remoteAddress: uniqueIp(), headers: { ...bearer(alice.token), 'content-type': body.contentType }, payload: body.payload });
      }

      it('a video: 202 with url null at once, 206 while processing, refused by a status, then 200 with its meta', async () => {
        const res = await upload(await testVideo({ seconds: 1 }), 'clip.mp4', 'video/mp4');
        assert.equal(res.statusCode, 202, res.body);
        const m = res.json() as Json;
        assert.equal(m.type, 'video');
        assert.equal(m.url, null);
        assert.equal(m.preview_url, null, 'no poster yet');
        assert.equal(m.description, 'the clip.mp4');
        const processing = await call(app, 'GET', `/api/v1/media/${m.id}`, { token: alice.token });
        assert.equal(processing.statusCode, 206);
        assert.equal(processing.json().url, null);
        const early = await call(app, 'POST', '/api/v1/statuses', { token: alice.token, payload: { status: 'too soon', media_ids: [m.id] } });
        assert.equal(early.statusCode, 422);
        assert.match(early.json().error, /Cannot attach files that have not finished processing/);

        await runPipeline();
        const ready = await call(app, 'GET', `/api/v1/media/${m.id}`, { token: alice.token });
        assert.equal(ready.statusCode, 200, ready.body);
        const v = ready.json() as Json;
        assert.equal(v.type, 'video');
        assert.match(v.url, /^http:\/\/localhost:\d+\/media\/[0-9a-f]{32}\/original\.mp4$/);
        assert.match(v.preview_url, /\/media\/[0-9a-f]{32}\/small\.webp$/);
        assert.equal(typeof v.blurhash, 'string');
        assert.deepEqual(Object.keys(v.meta.original).sort(), ['aspect', 'bitrate', 'duration', 'frame_rate', 'height', 'size', 'width']);
        assert.equal(v.meta.original.width, 320);
        assert.equal(v.meta.original.frame_rate, '25/1');
        assert.equal(typeof v.meta.original.duration, 'number');
        assert.deepEqual(v.meta.small, { width: 320, height: 240, size: '320x240', aspect: 1.333333 });
        const file = await app.inject({ url: new URL(v.url).pathname });
        assert.equal(file.statusCode, 200);
        assert.equal(file.headers['content-type'], 'video/mp4');
        assert.equal(file.headers['x-content-type-options'], 'nosniff');

        // Seeking (and Safari's playing) asks for byte ranges: one range is answered 206, anything else whole.
        const whole = file.rawPayload;
        assert.equal(file.headers['accept-ranges'], 'bytes');
        const first = await app.inject({ url: new URL(v.url).pathname, headers: { range: 'bytes=0-99' } });
        assert.equal(first.statusCode, 206);
        assert.equal(first.headers['content-range'], `bytes 0-99/${whole.length}`);
        assert.equal(first.headers['content-length'], '100');
        assert.deepEqual(first.rawPayload, whole.subarray(0, 100));
        const tail = await app.inject({ url: new URL(v.url).pathname, headers: { range: 'bytes=-10' } });
        assert.equal(tail.statusCode, 206);
        assert.deepEqual(tail.rawPayload, whole.subarray(whole.length - 10));
        const open = await app.inject({ url: new URL(v.url).pathname, headers: { range: `bytes=${whole.length - 5}-` } });
        assert.deepEqual(open.rawPayload, whole.subarray(whole.length - 5));
        for (const range of ['bytes=0-1,5-9', 'bytes=abc', `bytes=${whole.length}-`, 'items=0-1']) {
          const ignored = await app.inject({ url: new URL(v.url).pathname, headers: { range } });
          assert.equal(ignored.statusCode, 200, range);
          assert.equal(ignored.rawPayload.length, whole.length, range);
        }

        const posted = await call(app, 'POST', '/api/v1/statuses', { token: alice.token, payload: { status: 'a clip', media_ids: [m.id] } });
        assert.equal(posted.statusCode, 200, posted.body);
        assert.equal(posted.json().media_attachments[0].type, 'video');
        assert.equal(posted.json().media_attachments[0].url, v.url);
      });

      it('a broken video: 202, then 422 with the reason', async () => {
        const whole = await testVideo({ seconds: 1 });
        const res = await upload(whole.subarray(0, Math.floor(whole.length / 3)), 'broken.mp4', 'video/mp4');
        assert.equal(res.statusCode, 202, res.body);
        await runPipeline();
        const failed = await call(app, 'GET', `/api/v1/media/${res.json().id}`, { token: alice.token });
        assert.equal(failed.statusCode, 422);
        assert.match(failed.json().error, /truncated|corrupt/);
      });

      it('a video may be larger than an image, up to its own limit (413 past it, as it arrives)', async () => {
        const fake = (size: number) => {
          const data = Buffer.alloc(size);
          data.write('\0\0\0\x18ftypisom', 0, 'latin1');
          return data;
        };
        const taken = await upload(fake(2 * 1024 * 1024), 'big.mp4', 'video/mp4');
        assert.equal(taken.statusCode, 202, taken.body);
        const refused = await upload(fake(4 * 1024 * 1024), 'bigger.mp4', 'video/mp4');
        assert.equal(refused.statusCode, 413);
        assert.match(refused.json().error, /Videos have at most 3 MB/);
        const image = Buffer.alloc(2 * 1024 * 1024, 0xff);
        image.set([0xff, 0xd8, 0xff], 0);
        const tooBig = await upload(image, 'big.jpg', 'image/jpeg');
        assert.equal(tooBig.statusCode, 413);
        assert.match(tooBig.json().error, /Images have at most 1 MB/);
        await runPipeline();
        assert.equal((await call(app, 'GET', `/api/v1/media/${taken.json().id}`, { token: alice.token })).statusCode, 422, 'zeros are no video');
      });

      it('an animated GIF ends as gifv, audio as audio without a preview', async () => {
        const gif = await upload(await animatedGif(10), 'loop.gif', 'image/gif');
        const ogg = await upload(await oggOpus(), 'tone.ogg', 'audio/ogg');
        assert.equal(ogg.statusCode, 202);
        assert.equal(ogg.json().type, 'audio');
        await runPipeline();
        const g = (await call(app, 'GET', `/api/v1/media/${gif.json().id}`, { token: alice.token })).json() as Json;
        assert.equal(g.type, 'gifv');
        assert.match(g.url, /\/original\.mp4$/);
        const a = await call(app, 'GET', `/api/v1/media/${ogg.json().id}`, { token: alice.token });
        assert.equal(a.statusCode, 200);
        assert.equal(a.json().type, 'audio');
        assert.match(a.json().url, /\/original\.mp3$/);
        assert.equal(a.json().preview_url, null);
        assert.equal(typeof a.json().meta.original.duration, 'number');
      });

      it('the instance announces the video and audio types and their limits', async () => {
        for (const path of ['/api/v2/instance', '/api/v1/instance']) {
          const c = (await app.inject({ url: path })).json().configuration as Json;
          for (const type of ['video/mp4', 'video/webm', 'video/quicktime', 'audio/mpeg', 'audio/ogg']) assert.ok(c.media_attachments.supported_mime_types.includes(type), type);
          assert.equal(c.media_attachments.video_size_limit, t.config.mediaMaxVideoBytes);
          assert.equal(c.media_attachments.video_frame_rate_limit, t.config.mediaMaxVideoFrameRate);
          assert.equal(c.media_attachments.video_matrix_limit, t.config.mediaMaxVideoPixels);
        }
      });

      it('the admin page says video and audio are accepted, and lists their queues', async () => {
        await t.core.accounts.setAdmin(alice.username, true);
        const page = await alice.browser.get('/admin/jobs');
        assert.equal(page.statusCode, 200);
        assert.match(page.body, /Video and audio uploads are accepted: ffmpeg and ffprobe were found/);
        for (const queue of ['media-video', 'media-thumbnail']) assert.match(page.body, new RegExp(`<code>${queue}</code>`));
      });

      it('the website: a video posted from the form shows "processing", then a player with its poster; a broken one says it failed', async () => {
        const browser = alice.browser;
        await browser.get('/');
        const whole = await testVideo({ seconds: 1 });
        const empty = { file_3: { name: '', data: Buffer.alloc(0) }, file_4: { name: '', data: Buffer.alloc(0) } };
        const res = await browser.postMultipart(
          '/statuses',
          { status: 'Two clips', visibility: 'public', description_1: 'A test pattern' },
          { file_1: { name: 'clip.mp4', data: whole, type: 'video/mp4' }, file_2: { name: 'broken.mp4', data: whole.subarray(0, 2000), type: 'video/mp4' }, ...empty },
        );
        assert.equal(res.statusCode, 303, res.body.slice(0, 500));
        const [post] = await t.core.posts.accountStatuses(alice.id, alice.id, { limit: 1 });
        assert.equal(post!.text, 'Two clips');
        const before = (await browser.get(`/@${alice.username}/${post!.id}`)).body;
        assert.match(before, /<div class="media-placeholder" role="img" aria-label="A video still being processed: A test pattern">/);
        assert.match(before, /Processing the video…/);
        assert.doesNotMatch(before, /<video|<img class="media-image"/);

        await runPipeline();
        const page = await browser.get(`/@${alice.username}/${post!.id}`);
        const [clip] = (await t.core.posts.getPost(post!.id, alice.id)).media;
        assert.equal(clip!.state, 'ready');
        assert.ok(
          page.body.includes(`<video class="media-video" controls preload="none" poster="/media/${clip!.smallKey}" src="/media/${clip!.originalKey}" aria-label="A test pattern" width="320" height="240"><a href="/media/${clip!.originalKey}">Download the video</a></video>`),
          page.body.slice(page.body.indexOf('post-media'), page.body.indexOf('post-media') + 800),
        );
        assert.match(page.body, /<div class="media-placeholder media-failed" role="img" aria-label="A video that could not be processed: A video without a description">/);
        assert.match(page.body, /This video could not be processed\./);
      });

      it('the website: a gifv plays by itself only where the reader has not asked for reduced motion; audio has a player', async () => {
        const browser = alice.browser;
        await browser.get('/');
        const res = await browser.postMultipart('/statuses', { status: 'Loop and tone', visibility: 'public' }, { file_1: { name: 'loop.gif', data: await animatedGif(10), type: 'image/gif' }, file_2: { name: 'tone.ogg', data: await oggOpus(), type: 'audio/ogg' } });
        assert.equal(res.statusCode, 303, res.body.slice(0, 500));
        await runPipeline();
        const [post] = await t.core.posts.accountStatuses(alice.id, alice.id, { limit: 1 });
        const [loop, tone] = post!.media;
        assert.equal(loop!.type, 'gifv');
        const path = `/@${alice.username}/${post!.id}`;
        const still = await browser.get(path);
        assert.equal(still.headers['accept-ch'], 'Sec-CH-Prefers-Reduced-Motion');
        assert.ok(still.body.includes(`<video class="media-gifv" controls muted loop playsinline preload="none" poster="/media/${loop!.smallKey}"`), 'no autoplay unless the browser says motion is fine');
        for (const preference of ['reduce', 'no-preference']) {
          const page = await browser.request({ method: 'GET', url: path, headers: { 'sec-ch-prefers-reduced-motion': preference } });
          assert.equal(page.body.includes('muted loop playsinline autoplay'), preference === 'no-preference', preference);
        }
        assert.ok(still.body.includes(`<audio controls preload="none" src="/media/${tone!.originalKey}" aria-label="Audio without a description">`));
      });
    },
    { env: { API_RATE_LIMIT: '100000', MEDIA_UPLOAD_WAIT_SECONDS: '0', MEDIA_MAX_IMAGE_BYTES: String(1024 * 1024), MEDIA_MAX_VIDEO_BYTES: String(3 * 1024 * 1024) }, core: { jobs: { pollingIntervalSeconds: 0.5 } } },
  );
});
