import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import sharp from 'sharp';
import { Invalid, TooLarge, type Account, type MediaAttachment, type StoredObject } from '../../src/core/index.ts';
import { AvRefused, probeAv } from '../../src/core/media/av-probe.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { buildApp } from '../../src/web/app.ts';
import { BrowserSession } from '../helpers/browser-session.ts';
import { createAccount } from '../helpers/accounts.ts';
import { animatedGif, ffmpegMissing, ffprobe, longVideo, moovFirst, oddWebm, oggOpus, testVideo, wav } from '../helpers/av-media.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { waitForQueuesDrained } from '../helpers/wait.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Video, animated GIFs and audio through the pipeline's ffmpeg queues: each made in the test by ffmpeg's
// test sources, uploaded through the core, processed by the worker, and the served files read back with
// ffprobe. The limits are lowered for the suite so the refusals are cheap to provoke (a 30-second video
// at one frame a second stands for the ten-hour one).

/** A validator for assert.rejects: an error of `kind` whose message matches. */
function refusedWith(kind: new (...args: never[]) => Error, message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  };
}

const MEDIA_QUEUES = ['media-probe', 'media-image', 'media-video', 'media-thumbnail'];

async function bytes(object: StoredObject | undefined): Promise<Buffer> {
  assert.ok(object, 'the stored file exists');
  const chunks: Buffer[] = [];
  for await (const chunk of object.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const LIMITS = { MEDIA_FFMPEG_THREADS: '1', MEDIA_MAX_VIDEO_SECONDS: '20', MEDIA_MAX_VIDEO_PIXELS: String(640 * 480), MEDIA_MAX_VIDEO_FRAME_RATE: '60', MEDIA_MAX_GIF_FRAMES: '40', MEDIA_MAX_VIDEO_BYTES: String(2 * 1024 * 1024) };

describe('media pipeline: video, gifv and audio', { skip: ffmpegMissing ?? false }, () => {
  forEachBackend(
    'media pipeline (ffmpeg)',
    (t) => {
      let worker: RunningWorker;
      let owner: Account;
      before(async () => {
        worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
        owner = await createAccount(t.core, 'owner');
      });
      after(() => worker.stop());

      async function processed(file: Buffer): Promise<MediaAttachment> {
        const uploaded = await t.core.media.uploadMedia(owner.id, { file });
        await waitForQueuesDrained(t.core, MEDIA_QUEUES);
        return t.core.media.getMedia(owner.id, uploaded.id);
      }

      it('a video is transcoded to an H.264/AAC MP4 with its index first, a poster preview, a blurhash and its meta', async () => {
        const uploaded = await t.core.media.uploadMedia(owner.id, { file: await testVideo({ seconds: 1, width: 320, height: 240, fps: 25 }) });
        // Typed from its first bytes at once, as Mastodon answers a video upload.
        assert.equal(uploaded.type, 'video');
        assert.equal(uploaded.state, 'processing');
        await waitForQueuesDrained(t.core, MEDIA_QUEUES);
        const media = await t.core.media.getMedia(owner.id, uploaded.id);
        assert.equal(media.state, 'ready', media.failureReason ?? '');
        assert.equal(media.type, 'video');
        assert.match(media.originalKey!, /^[0-9a-f]{32}\/original\.mp4$/);
        assert.match(media.smallKey!, /^[0-9a-f]{32}\/small\.webp$/);
        assert.match(media.blurhash ?? '', /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{20,30}$/);
        const original = media.meta.original!;
        assert.equal(original.width, 320);
        assert.equal(original.height, 240);
        assert.equal(original.size, '320x240');
        assert.equal(original.frame_rate, '25/1');
        assert.ok(original.duration! > 0.9 && original.duration! < 1.2, `duration ${original.duration}`);
        assert.ok(original.bitrate! > 0);
        assert.deepEqual(media.meta.small, { width: 320, height: 240, size: '320x240', aspect: 1.333333 });
        const served = await t.core.media.readFile(media.originalKey!);
        assert.equal(served?.contentType, 'video/mp4');
        const mp4 = await bytes(served);
        assert.ok(moovFirst(mp4), 'faststart: the moov box comes before mdat');
        const probed = await ffprobe(mp4);
        assert.match(probed.format.format_name, /mp4/);
        const video = probed.streams.find((s) => s.codec_type === 'video')!;
        assert.equal(video.codec_name, 'h264');
        assert.equal(video.pix_fmt, 'yuv420p');
        assert.equal(probed.streams.find((s) => s.codec_type === 'audio')?.codec_name, 'aac');
        assert.equal(probed.format.tags?.location, undefined, 'metadata (a location) is not served');
        // x264 writes its settings into the stream: the encoder kept to MEDIA_FFMPEG_THREADS (the suite's 1),
        // not its own 1.5 threads a core (a `-threads` before the input bounds the decoder alone).
        const x264 = / threads=\d+ /.exec(mp4.toString('latin1'))?.[0].trim();
        assert.equal(x264, 'threads=1', 'the encoder used MEDIA_FFMPEG_THREADS threads');
        const small = await sharp(await bytes(await t.core.media.readFile(media.smallKey!))).metadata();
        assert.deepEqual([small.format, small.width, small.height], ['webp', 320, 240]);
        // The upload is gone once the attachment is ready.
        const row = await t.core.media.getMedia(owner.id, media.id);
        assert.equal(row.state, 'ready');
      });

      it('a WebM of odd dimensions becomes an MP4 of even ones', async () => {
        const media = await processed(await oddWebm());
        assert.equal(media.state, 'ready', media.failureReason ?? '');
        assert.equal(media.type, 'video');
        const probed = await ffprobe(await bytes(await t.core.media.readFile(media.originalKey!)));
        const video = probed.streams.find((s) => s.codec_type === 'video')!;
        assert.equal(video.codec_name, 'h264');
        assert.equal(video.width! % 2, 0);
        assert.equal(video.height! % 2, 0);
        assert.equal(probed.streams.some((s) => s.codec_type === 'audio'), false);
      });

      it('an animated GIF becomes a silent looping MP4 (gifv) with a preview', async () => {
        const media = await processed(await animatedGif(10));
        assert.equal(media.state, 'ready', media.failureReason ?? '');
        assert.equal(media.type, 'gifv');
        assert.match(media.originalKey!, /\/original\.mp4$/);
        assert.equal(media.meta.original?.width, 64);
        assert.ok(media.smallKey);
        const probed = await ffprobe(await bytes(await t.core.media.readFile(media.originalKey!)));
        assert.deepEqual(probed.streams.map((s) => `${s.codec_type}:${s.codec_name}`), ['video:h264']);
      });

      it('a GIF of one frame stays an image', async () => {
        const media = await processed(await animatedGif(1));
        assert.equal(media.state, 'ready', media.failureReason ?? '');
        assert.equal(media.type, 'image');
      });

      it('audio (Ogg Opus, WAV) is re-encoded as MP3 with its duration; it has no preview', async () => {
        for (const file of [await oggOpus(), await wav()]) {
          const uploaded = await t.core.media.uploadMedia(owner.id, { file });
          assert.equal(uploaded.type, 'audio');
          await waitForQueuesDrained(t.core, MEDIA_QUEUES);
          const media = await t.core.media.getMedia(owner.id, uploaded.id);
          assert.equal(media.state, 'ready', media.failureReason ?? '');
          assert.equal(media.type, 'audio');
          assert.match(media.originalKey!, /\/original\.mp3$/);
          assert.equal(media.smallKey, null);
          assert.ok(media.meta.original!.duration! > 0.9, `duration ${media.meta.original!.duration}`);
          assert.equal(media.meta.original!.width, undefined);
          const served = await t.core.media.readFile(media.originalKey!);
          assert.equal(served?.contentType, 'audio/mpeg');
          const probed = await ffprobe(await bytes(served));
          assert.deepEqual(probed.streams.map((s) => `${s.codec_type}:${s.codec_name}`), ['audio:mp3']);
        }
      });

      it('a truncated video ends failed, with a reason', async () => {
        const whole = await testVideo({ seconds: 1 });
        const media = await processed(whole.subarray(0, Math.floor(whole.length / 3)));
        assert.equal(media.state, 'failed');
        assert.match(media.failureReason ?? '', /truncated|corrupt/);
        assert.equal(media.originalKey, null);
      });

      it('a text file named .mp4, an HLS playlist and an ffconcat list are refused as they arrive', async () => {
        const playlist = Buffer.from('#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n');
        const concat = Buffer.from('ffconcat version 1.0\nfile /etc/passwd\n');
        for (const file of [Buffer.from('just some text, named video.mp4 by its sender\n'), playlist, concat]) {
          await assert.rejects(t.core.media.uploadMedia(owner.id, { file }), refusedWith(Invalid, /text .*not an image, video or audio/));
        }
      });

      it('a playlist dressed as an MP4 is read as MP4 only, and refused: nothing it names is opened', async () => {
        // Starts like an MP4 (so the upload passes the first-bytes check), then an HLS playlist naming
        // a local file. ffmpeg is told the container (mov) and the file protocol alone; guessing would
        // have read the playlist.
        const dir = await mkdtemp(join(tmpdir(), 'pipit-test-'));
        try {
          const secret = join(dir, 'secret.ts');
          await writeFile(secret, await testVideo({ seconds: 1 }));
          const crafted = Buffer.concat([Buffer.from('\0\0\0\x18ftypisom\0\0\0\0isomiso2'), Buffer.from(`\n#EXTM3U\n#EXTINF:1,\nfile:${secret}\n#EXT-X-ENDLIST\n`)]);
          const media = await processed(crafted);
          assert.equal(media.state, 'failed');
          assert.match(media.failureReason ?? '', /could not be read as video or audio/);
          const path = join(dir, 'crafted.m3u8');
          await writeFile(path, `#EXTM3U\n#EXTINF:1,\nfile:${secret}\n#EXT-X-ENDLIST\n`);
          const limits = { maxSeconds: 60, maxPixels: 1e7, maxFrameRate: 60, maxGifFrames: 100 };
          await assert.rejects(probeAv('ffprobe', path, 'mp4', limits, 30_000), AvRefused);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });

      it('too long, too large, too fast, too many frames: failed with a reason that says the limit', async () => {
        const long = await processed(await longVideo(30));
        assert.equal(long.state, 'failed');
        assert.match(long.failureReason ?? '', /lasts 30 seconds; Pipit accepts at most 20 seconds/);
        const large = await processed(await testVideo({ seconds: 0.2, width: 1280, height: 720, audio: false }));
        assert.equal(large.state, 'failed');
        assert.match(large.failureReason ?? '', /1280 × 720 pixels; Pipit accepts at most 0\.3 megapixels/);
        const fast = await processed(await testVideo({ seconds: 0.1, width: 64, height: 48, fps: 240, audio: false }));
        assert.equal(fast.state, 'failed');
        assert.match(fast.failureReason ?? '', /240 frames a second; Pipit accepts at most 60/);
        const gif = await processed(await animatedGif(50, '16x16'));
        assert.equal(gif.state, 'failed');
        assert.match(gif.failureReason ?? '', /50 frames; Pipit accepts at most 40/);
      });

      it('a video past its size limit is refused as it arrives', async () => {
        const big = Buffer.alloc(t.config.mediaMaxVideoBytes + 1);
        big.write('\0\0\0\x18ftypisom', 0, 'latin1');
        await assert.rejects(t.core.media.uploadMedia(owner.id, { file: big }), refusedWith(TooLarge, /Videos have at most 2 MB/));
      });
    },
    { env: LIMITS, core: { jobs: { pollingIntervalSeconds: 0.5 } } },
  );
});

forEachBackend(
  'media uploads without ffmpeg',
  (t) => {
    it('a video is refused at upload time, saying why; an image is still taken', async () => {
      const owner = await createAccount(t.core, 'owner');
      const mp4 = Buffer.from('\0\0\0\x18ftypisom\0\0\0\0isomiso2avc1mp41' + '\0'.repeat(40), 'latin1');
      await assert.rejects(t.core.media.uploadMedia(owner.id, { file: mp4 }), refusedWith(Invalid, /ffmpeg is not installed on this server/));
      assert.equal((await t.core.media.videoSupport()).ok, false);
      const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).png().toBuffer();
      assert.equal((await t.core.media.uploadMedia(owner.id, { file: png })).state, 'processing');
    });

    it('the admin page says why video is refused; the instance announces no video', async () => {
      const app = await buildApp(t.core);
      try {
        const admin = new BrowserSession(app);
        assert.equal((await admin.signUp({ username: 'admin' })).statusCode, 303);
        await t.core.accounts.setAdmin('admin', true);
        const page = await admin.get('/admin/jobs');
        assert.equal(page.statusCode, 200);
        assert.match(page.body, /Video and audio uploads are refused: ffmpeg is not installed on this server \(\/nonexistent\/ffmpeg and \/nonexistent\/ffprobe cannot be run; install Debian&#39;s ffmpeg package or set FFMPEG_PATH and FFPROBE_PATH\)/);
        const instance = (await app.inject({ url: '/api/v2/instance' })).json().configuration.media_attachments;
        assert.equal(instance.video_size_limit, 0);
        assert.equal(instance.supported_mime_types.includes('video/mp4'), false);
      } finally {
        await app.close();
      }
    });
  },
  { env: { FFMPEG_PATH: '/nonexistent/ffmpeg', FFPROBE_PATH: '/nonexistent/ffprobe' }, only: { backend: 'pglite', why: 'the refusal is made before the database is asked' } },
);
