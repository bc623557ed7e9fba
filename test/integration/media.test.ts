import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import pino from 'pino';
import sharp from 'sharp';
import { Invalid, NotFound, TooLarge, type Account, type MediaAttachment, type StoredObject } from '../../src/core/index.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { domainError } from '../helpers/errors.ts';
import { noiseImage, phoneJpeg, pngClaiming, truncatedPng } from '../helpers/images.ts';
import { waitFor, waitForQueuesDrained } from '../helpers/wait.ts';

// The media pipeline through the core: an upload is stored, probed and processed by the worker's
// queues, and ends ready (variants, meta, blurhash; no metadata left) or failed with a reason. Every
// check waits for the queues to drain, never for a time.

const MEDIA_QUEUES = ['media-probe', 'media-image'];

async function bytes(object: StoredObject | undefined): Promise<Buffer> {
  assert.ok(object, 'the stored file exists');
  const chunks: Buffer[] = [];
  for await (const chunk of object.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every file under `dir` (relative paths, sorted); none when it does not exist. */
async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

forEachBackend(
  'media pipeline',
  (t) => {
    let worker: RunningWorker;
    let owner: Account;
    let other: Account;
    before(async () => {
      worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      owner = await createAccount(t.core, 'owner');
      other = await createAccount(t.core, 'other');
    });
    after(() => worker.stop());

    async function settled(media: MediaAttachment): Promise<MediaAttachment> {
      await waitForQueuesDrained(t.core, MEDIA_QUEUES);
      return t.core.media.getMedia(owner.id, media.id);
    }

    it('an upload is processed into a re-encoded original, a small preview and a blurhash', async () => {
      const uploaded = await t.core.media.uploadMedia(owner.id, { file: await noiseImage(1200, 800, 'png'), description: ' a test card ', focus: '0.5,-0.25' });
      assert.equal(uploaded.state, 'processing');
      assert.equal(uploaded.originalKey, null);
      assert.equal(uploaded.description, 'a test card');
      assert.deepEqual(uploaded.focus, { x: 0.5, y: -0.25 });
      const media = await settled(uploaded);
      assert.equal(media.state, 'ready', media.failureReason ?? '');
      assert.equal(media.type, 'image');
      assert.deepEqual(media.meta.original, { width: 1200, height: 800, size: '1200x800', aspect: 1.5 });
      assert.deepEqual(media.meta.small, { width: 640, height: 427, size: '640x427', aspect: 1.498829 });
      assert.match(media.blurhash ?? '', /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{20,30}$/);
      assert.match(media.originalKey!, /^[0-9a-f]{32}\/original\.png$/);
      const original = await t.core.media.readFile(media.originalKey!);
      assert.equal(original?.contentType, 'image/png');
      assert.deepEqual(await sharp(await bytes(original)).metadata().then((m) => [m.format, m.width, m.height]), ['png', 1200, 800]);
      const small = await t.core.media.readFile(media.smallKey!);
      assert.equal(small?.contentType, 'image/webp');
      assert.equal((await sharp(await bytes(small)).metadata()).width, 640);
    });

    it('each accepted type is served as browsers show it: JPEG, PNG, WebP and GIF as themselves, AVIF as JPEG', async () => {
      const avif = await sharp(await noiseImage(64, 48)).avif().toBuffer();
      const cases = [
        [await noiseImage(64, 48, 'jpeg'), 'jpg', 'jpeg'],
        [await noiseImage(64, 48, 'png'), 'png', 'png'],
        [await noiseImage(64, 48, 'webp'), 'webp', 'webp'],
        [await noiseImage(64, 48, 'gif'), 'gif', 'gif'],
        [avif, 'jpg', 'jpeg'],
      ] as const;
      for (const [file, extension, format] of cases) {
        const media = await settled(await t.core.media.uploadMedia(owner.id, { file }));
        assert.equal(media.state, 'ready', `${format}: ${media.failureReason}`);
        assert.ok(media.originalKey!.endsWith(`/original.${extension}`), media.originalKey!);
        const served = await bytes(await t.core.media.readFile(media.originalKey!));
        assert.deepEqual(await sharp(served).metadata().then((m) => [m.format, m.width, m.height]), [format, 64, 48]);
      }
    });

    it('a phone photo is turned upright and loses all its metadata, GPS included', async () => {
      const photo = await phoneJpeg(300, 200, 6);
      const input = await sharp(photo).metadata();
      assert.equal(input.orientation, 6);
      assert.ok(photo.includes('PipitTestCam'), 'the upload carries the camera name');
      assert.ok(input.exif && (input.exif.includes(Buffer.from([0x88, 0x25])) || input.exif.includes(Buffer.from([0x25, 0x88]))), 'the upload has a GPS directory');
      const media = await settled(await t.core.media.uploadMedia(owner.id, { file: photo }));
      assert.equal(media.state, 'ready', media.failureReason ?? '');
      assert.deepEqual([media.meta.original?.width, media.meta.original?.height], [200, 300], 'turned by its orientation');
      for (const key of [media.originalKey!, media.smallKey!]) {
        const served = await bytes(await t.core.media.readFile(key));
        const meta = await sharp(served).metadata();
        assert.equal(meta.exif, undefined, `${key} has no EXIF`);
        assert.equal(meta.orientation, undefined, `${key} needs no orientation`);
        assert.equal(meta.icc, undefined);
        assert.ok(!served.includes('PipitTestCam') && !served.includes('Exif\0\0'), `${key} carries nothing of the upload's metadata`);
        assert.ok(meta.height! > meta.width!, `${key} is upright`);
      }
      assert.equal(await t.core.media.readFile(`incoming/${media.originalKey!.slice(0, 32)}`), undefined, 'the upload itself is never served');
    });

    it('text, SVG and HTML are refused by their content, whatever they are called', async () => {
      const before = await filesUnder(join(t.config.dataDir, 'media'));
      for (const [what, file] of [
        ['text', Buffer.from('just some words, saved as holiday.jpg\n')],
        ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
        ['HTML', Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>')],
      ] as const) {
        await assert.rejects(t.core.media.uploadMedia(owner.id, { file }), (error: Error) => {
          domainError(Invalid, 'file')(error);
          assert.match(error.message, /text .*not an image.*JPEG, PNG/, what);
          return true;
        });
      }
      await assert.rejects(t.core.media.uploadMedia(owner.id, { file: Buffer.alloc(0) }), /empty/);
      // Judged by its first bytes, while it arrives: the rest of a long text is not even stored.
      async function* endlessText() {
        for (;;) yield Buffer.from('<html>'.repeat(1000));
      }
      await assert.rejects(t.core.media.uploadMedia(owner.id, { file: Readable.from(endlessText()) }), domainError(Invalid, 'file'));
      assert.deepEqual(await filesUnder(join(t.config.dataDir, 'media')), before, 'nothing of them is kept');
    });

    it('a truncated PNG ends failed, with a reason', async () => {
      const media = await settled(await t.core.media.uploadMedia(owner.id, { file: await truncatedPng() }));
      assert.equal(media.state, 'failed');
      assert.match(media.failureReason ?? '', /truncated or corrupt/);
      assert.equal(media.originalKey, null);
    });

    it('a pixel bomb is refused from its header, before it is decoded', async () => {
      const bomb = await pngClaiming(30_000, 30_000);
      assert.ok(bomb.length < 200, 'a tiny file');
      const media = await settled(await t.core.media.uploadMedia(owner.id, { file: bomb }));
      assert.equal(media.state, 'failed');
      assert.match(media.failureReason ?? '', /30000 × 30000 pixels; Pipit accepts at most 33 megapixels/);
    });

    it('an upload past the size limit is refused as it arrives', async () => {
      const big = Buffer.alloc(t.config.mediaMaxImageBytes + 1, 0xff);
      big.set([0xff, 0xd8, 0xff], 0);
      await assert.rejects(t.core.media.uploadMedia(owner.id, { file: big }), domainError(TooLarge));
    });

    it('only the owner sees, changes or deletes an upload; attached ones stay', async () => {
      const media = await settled(await t.core.media.uploadMedia(owner.id, { file: await noiseImage(64, 64) }));
      await assert.rejects(t.core.media.getMedia(other.id, media.id), domainError(NotFound));
      await assert.rejects(t.core.media.updateMedia(other.id, media.id, { description: 'mine now' }), domainError(NotFound));
      await assert.rejects(t.core.media.deleteMedia(other.id, media.id), domainError(NotFound));
      const changed = await t.core.media.updateMedia(owner.id, media.id, { description: 'x'.repeat(1500), focus: '-1,1' });
      assert.equal(changed.description.length, 1500);
      assert.deepEqual(changed.focus, { x: -1, y: 1 });
      await assert.rejects(t.core.media.updateMedia(owner.id, media.id, { description: 'x'.repeat(1501) }), domainError(Invalid, 'description'));
      for (const focus of ['2,0', '0', 'a,b', '0,0,0', '1e0,0']) {
        await assert.rejects(t.core.media.updateMedia(owner.id, media.id, { focus }), domainError(Invalid, 'focus'), focus);
      }
      const post = await t.core.posts.createPost(owner.id, { text: '', mediaIds: [media.id] });
      assert.deepEqual(post.media.map((m) => m.id), [media.id]);
      await assert.rejects(t.core.media.deleteMedia(owner.id, media.id), domainError(Invalid, 'id'));
      await assert.rejects(t.core.media.updateMedia(owner.id, media.id, { description: 'later' }), domainError(Invalid, 'id'));
      const loose = await settled(await t.core.media.uploadMedia(owner.id, { file: await noiseImage(32, 32) }));
      await t.core.media.deleteMedia(owner.id, loose.id);
      await assert.rejects(t.core.media.getMedia(owner.id, loose.id), domainError(NotFound));
      assert.equal(await t.core.media.readFile(loose.originalKey!), undefined, 'its files are gone');
    });

    it('a post takes up to four of its author\'s ready, unattached uploads, in the order given', async () => {
      const ready = [];
      for (let i = 0; i < 5; i++) ready.push(await t.core.media.uploadMedia(owner.id, { file: await noiseImage(40 + i, 40) }));
      await waitForQueuesDrained(t.core, MEDIA_QUEUES);
      const ids = ready.map((m) => m.id);
      await assert.rejects(t.core.posts.createPost(owner.id, { text: 'five', mediaIds: ids }), domainError(Invalid, 'media_ids'));
      await assert.rejects(t.core.posts.createPost(other.id, { text: 'not mine', mediaIds: [ids[0]!] }), /not one of your uploads/);
      await assert.rejects(t.core.posts.createPost(owner.id, { text: 'bad id', mediaIds: ['nope'] }), domainError(Invalid, 'media_ids'));
      const post = await t.core.posts.createPost(owner.id, { text: 'four', mediaIds: [ids[3]!, ids[1]!, ids[0]!, ids[2]!] });
      assert.deepEqual(post.media.map((m) => m.id), [ids[3], ids[1], ids[0], ids[2]]);
      assert.deepEqual((await t.core.posts.getPost(post.id)).media.map((m) => m.meta.original?.width), [43, 41, 40, 42]);
      await assert.rejects(t.core.posts.createPost(owner.id, { text: 'again', mediaIds: [ids[0]!] }), /already attached/);
      const failed = await settled(await t.core.media.uploadMedia(owner.id, { file: await truncatedPng() }));
      await assert.rejects(t.core.posts.createPost(owner.id, { text: 'broken', mediaIds: [failed.id] }), /could not be processed/);
      const alone = await t.core.posts.createPost(owner.id, { text: '', mediaIds: [ids[4]!] });
      assert.equal(alone.text, '');
      assert.equal(alone.contentHtml, '');
      const worded = await t.core.posts.editPost(owner.id, alone.id, { text: 'now with words' });
      assert.deepEqual(worded.media.map((m) => m.id), [ids[4]], 'an edit keeps the attachments');
      const unworded = await t.core.posts.editPost(owner.id, alone.id, { text: '' });
      assert.equal(unworded.contentHtml, '', 'a post of pictures may be edited back to no text');
      const picture = await settled(await t.core.media.uploadMedia(owner.id, { file: await noiseImage(24, 24) }));
      const gone = await t.core.posts.createPost(owner.id, { text: 'soon deleted', mediaIds: [picture.id] });
      const goneMedia = gone.media[0]!;
      assert.ok(await t.core.media.readFile(goneMedia.originalKey!));
      await t.core.posts.deletePost(owner.id, gone.id);
      await assert.rejects(t.core.media.getMedia(owner.id, goneMedia.id), domainError(NotFound), 'a deleted post takes its attachments along');
      assert.equal(await t.core.media.readFile(goneMedia.originalKey!), undefined, 'and their files');
      assert.equal(await t.core.media.readFile(goneMedia.smallKey!), undefined);
      const plain = await t.core.posts.createPost(owner.id, { text: 'plain' });
      await assert.rejects(t.core.posts.editPost(owner.id, plain.id, { text: '' }), domainError(Invalid, 'status'), 'a post without pictures still needs words');
      await assert.rejects(t.core.posts.createPost(owner.id, { text: '' }), domainError(Invalid, 'status'));
    });

    it('an upload cut off mid-way leaves no file behind', async () => {
      const before = await filesUnder(join(t.config.dataDir, 'media'));
      const head = await noiseImage(200, 200);
      async function* cutOff() {
        yield head.subarray(0, 1000);
        throw new Error('the connection was reset');
      }
      await assert.rejects(t.core.media.uploadMedia(owner.id, { file: Readable.from(cutOff()) }), /connection was reset/);
      assert.deepEqual(await filesUnder(join(t.config.dataDir, 'media')), before, 'no upload and no temporary file left');
    });

    it('steps are idempotent: two workers on one task write the same keys once, and a repeat does nothing', async () => {
      // The worker is stopped so that this test runs the steps itself, as two workers would.
      await worker.stop();
      let media: MediaAttachment;
      try {
        media = await t.core.media.uploadMedia(owner.id, { file: await phoneJpeg(90, 60) });
        assert.deepEqual(await Promise.all([t.core.media.probeMedia(media.id), t.core.media.probeMedia(media.id)]).then((o) => o.sort()), ['done', 'skipped'], 'one probe queues the task');
        const outcomes = await Promise.all([t.core.media.processImage(media.id), t.core.media.processImage(media.id)]);
        assert.ok(outcomes.includes('done'), JSON.stringify(outcomes));
        const ready = await t.core.media.getMedia(owner.id, media.id);
        assert.equal(ready.state, 'ready');
        assert.deepEqual([ready.meta.original?.width, ready.meta.original?.height], [60, 90]);
        assert.ok(await t.core.media.readFile(ready.originalKey!));
        assert.equal(await t.core.media.processImage(media.id), 'skipped', 'a repeat after the end');
        assert.equal(await t.core.media.probeMedia(media.id), 'skipped');
        assert.deepEqual(await t.core.media.getMedia(owner.id, media.id), ready);
      } finally {
        worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      }
      // The queued jobs, taken now, find nothing left to do.
      await waitForQueuesDrained(t.core, MEDIA_QUEUES);
      assert.equal((await t.core.media.getMedia(owner.id, media.id)).state, 'ready');
    });

    it('an upload still processing cannot be attached', async () => {
      // No worker takes this one: the probe job waits in its queue while the post is tried.
      await worker.stop();
      try {
        const media = await t.core.media.uploadMedia(owner.id, { file: await noiseImage(16, 16) });
        await assert.rejects(t.core.posts.createPost(owner.id, { text: 'too soon', mediaIds: [media.id] }), /Cannot attach files that have not finished processing/);
      } finally {
        worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      }
      await waitFor(async () => (await t.core.jobs.overview()).find((q) => q.queue === 'media-probe')?.waiting === 0, { what: 'the waiting probe taken by the restarted worker' });
    });
  },
  { core: { jobs: { pollingIntervalSeconds: 0.5 } } },
);
