import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../src/core/index.ts';
import pino from 'pino';
import sharp from 'sharp';
import { buildApp } from '../../src/web/app.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { apiUser, type ApiUser } from '../helpers/api-user.ts';
import { BrowserSession, uniqueIp } from '../helpers/browser-session.ts';
import { bearer, registerApp } from '../helpers/oauth.ts';
import { heicToolsMissing, toHeic } from '../helpers/heic.ts';
import { phoneJpeg } from '../helpers/images.ts';
import { multipartBody } from '../helpers/multipart.ts';
import { UPLOAD_WAITS_FOR_PROCESSING } from '../helpers/wait.ts';

// HEIC photos (iPhones) over HTTP: converted to JPEG by heif-convert in the pipeline, then re-encoded
// without metadata like any upload; refused at upload time, with a message, where no converter is
// installed; and announced by the instance only where they are accepted.

type Json = Record<string, any>;

function multipart(file: Buffer, name: string, type: string) {
  return multipartBody({}, { file: { data: file, name, type } });
}

async function upload(app: FastifyInstance, token: string, file: Buffer) {
  const body = await multipart(file, 'IMG_0001.HEIC', 'image/heic');
  return app.inject({ method: 'POST', url: '/api/v2/media', remoteAddress: uniqueIp(), headers: { ...bearer(token), 'content-type': body.contentType }, payload: body.payload });
}

/** PATCH update_credentials with `file` as the avatar, as a phone's client sends a HEIC photo. */
async function setAvatar(app: FastifyInstance, token: string, file: Buffer) {
  const body = await multipartBody({}, { avatar: { data: file, name: 'IMG_0002.HEIC', type: 'image/heic' } });
  return app.inject({ method: 'PATCH', url: '/api/v1/accounts/update_credentials', remoteAddress: uniqueIp(), headers: { ...bearer(token), 'content-type': body.contentType }, payload: body.payload });
}

async function supportedTypes(app: FastifyInstance): Promise<string[]> {
  return ((await app.inject({ url: '/api/v2/instance' })).json().configuration as Json).media_attachments.supported_mime_types;
}

describe('HEIC uploads', { skip: heicToolsMissing }, () => {
  // The conversion's temporary files go under TMPDIR: a folder of this test's own shows none is left.
  let scratch: string;
  const previousTmp = process.env.TMPDIR;
  const conversions = async () => (await readdir(scratch)).filter((name) => name.startsWith('pipit-heic-'));
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'pipit-heic-scratch-'));
    process.env.TMPDIR = scratch;
  });
  after(async () => {
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    await rm(scratch, { recursive: true, force: true });
  });

  forEachBackend(
    'HEIC with heif-convert',
    (t) => {
      let app: FastifyInstance;
      let worker: RunningWorker;
      let alice: ApiUser;
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

      it('a HEIC photo is answered ready as a JPEG of its size, with none of its EXIF (GPS, camera) left', async () => {
        const heic = await toHeic(await phoneJpeg(900, 600, 1));
        const input = await sharp(heic).metadata();
        assert.deepEqual([input.format, input.compression, input.width, input.height], ['heif', 'hevc', 900, 600], 'a real HEVC-coded HEIC');
        assert.ok(heic.includes('PipitTestCam'), 'the upload carries the camera name in its EXIF');

        const res = await upload(app, alice.token, heic);
        assert.equal(res.statusCode, 200, res.body);
        const m = res.json() as Json;
        assert.equal(m.type, 'image');
        assert.match(m.url, /\/original\.jpg$/);
        assert.deepEqual(m.meta.original, { width: 900, height: 600, size: '900x600', aspect: 1.5 });
        assert.deepEqual(m.meta.small, { width: 640, height: 427, size: '640x427', aspect: 1.498829 });

        const file = await app.inject({ url: new URL(m.url).pathname });
        assert.equal(file.statusCode, 200);
        assert.equal(file.headers['content-type'], 'image/jpeg');
        const served = await sharp(file.rawPayload).metadata();
        assert.deepEqual([served.format, served.width, served.height], ['jpeg', 900, 600]);
        assert.equal(served.exif, undefined, 'no EXIF');
        assert.ok(!file.rawPayload.includes('PipitTestCam') && !file.rawPayload.includes('Secret Serial'), 'nothing of the upload\'s metadata');
        assert.deepEqual(await conversions(), [], 'the conversion left no temporary file');
      });

      it('a HEIC avatar is converted and cropped like any picture', async () => {
        const res = await setAvatar(app, alice.token, await toHeic(await phoneJpeg(300, 200, 1)));
        assert.equal(res.statusCode, 200, res.body);
        const avatar = await app.inject({ url: new URL((res.json() as Json).avatar).pathname });
        assert.equal(avatar.statusCode, 200);
        const served = await sharp(avatar.rawPayload).metadata();
        assert.deepEqual([served.format, served.width, served.height], ['webp', 400, 400]);
        assert.deepEqual(await conversions(), [], 'the conversion left no temporary file');
      });

      it('a corrupt HEIC fails with a reason and leaves no temporary file', async () => {
        const heic = await toHeic(await phoneJpeg(300, 200, 1));
        // Header intact (the probe reads its size), the coded picture cut short.
        const res = await upload(app, alice.token, heic.subarray(0, heic.length - 200));
        assert.ok([200, 202, 422].includes(res.statusCode), res.body);
        const id = res.json().id ?? undefined;
        if (res.statusCode !== 422) {
          const polled = await app.inject({ url: `/api/v1/media/${id}`, headers: bearer(alice.token) });
          assert.equal(polled.statusCode, 422, polled.body);
        }
        assert.deepEqual(await conversions(), []);
      });

      it('the instance lists image/heic and image/heif among its types', async () => {
        const types = await supportedTypes(app);
        assert.ok(types.includes('image/heic') && types.includes('image/heif'), JSON.stringify(types));
      });

      it('the admin page says HEIC photos are accepted', async () => {
        assert.match(await adminJobsPage(app, t.core), /HEIC photos \(iPhones\) are accepted and served as JPEG/);
      });
    },
    { env: UPLOAD_WAITS_FOR_PROCESSING, core: { jobs: { pollingIntervalSeconds: 0.5 } } },
  );
});

/** The admin's /admin/jobs page, as an administrator signed in on the website sees it. */
async function adminJobsPage(app: FastifyInstance, core: Core): Promise<string> {
  const admin = new BrowserSession(app);
  const username = `admin_${randomUUID().slice(0, 8)}`;
  assert.equal((await admin.signUp({ username })).statusCode, 303);
  await core.accounts.setAdmin(username, true);
  const page = await admin.get('/admin/jobs');
  assert.equal(page.statusCode, 200);
  return page.body;
}

forEachBackend(
  'HEIC without heif-convert',
  (t) => {
    let app: FastifyInstance;
    let alice: ApiUser;
    before(async () => {
      app = await buildApp(t.core);
      alice = await apiUser(app, t.core, { client: await registerApp(app), prefix: 'alice' });
    });
    after(() => app?.close());

    it('a HEIC upload is refused at once with a message saying what to do', { skip: heicToolsMissing }, async () => {
      const res = await upload(app, alice.token, await toHeic(await phoneJpeg(64, 48, 1)));
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(res.json().error, 'Validation failed: This server cannot convert HEIC photos: export the picture as JPEG and upload that.');
      assert.equal((await t.core.media.mediaStorageOverview()).unattached, 0, 'nothing kept');
    });

    it('the instance does not list HEIC', async () => {
      const types = await supportedTypes(app);
      assert.ok(!types.includes('image/heic') && !types.includes('image/heif'), JSON.stringify(types));
    });

    it('a HEIC avatar is refused with the same message, and the account keeps its default', { skip: heicToolsMissing }, async () => {
      const res = await setAvatar(app, alice.token, await toHeic(await phoneJpeg(64, 48, 1)));
      assert.equal(res.statusCode, 422, res.body);
      assert.match(res.json().error, /cannot convert HEIC photos: export the picture as JPEG/);
      const me = await app.inject({ url: '/api/v1/accounts/verify_credentials', headers: bearer(alice.token) });
      assert.match(me.json().avatar, /\/assets\/avatar\.png$/, 'the default avatar stays');
    });

    it('the admin page says HEIC photos are refused, and why', async () => {
      assert.match(await adminJobsPage(app, t.core), /HEIC photos are refused: <code>heif-convert<\/code> is not installed/);
    });
  },
  { env: { MEDIA_HEIF_CONVERT: 'off' } },
);
