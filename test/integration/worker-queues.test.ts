import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { QUEUE_NAMES, type Account } from '../../src/core/index.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { noiseImage } from '../helpers/images.ts';
import { ffmpegMissing, testVideo } from '../helpers/av-media.ts';
import { waitFor, waitForQueuesDrained } from '../helpers/wait.ts';

// WORKER_QUEUES: a worker takes only the queues it names. Shown without waiting for nothing to happen:
// the image's job is seen waiting in its queue (a fact of the queue's state), and a second worker that
// takes the other queues is what finishes the attachment.

forEachBackend(
  'WORKER_QUEUES',
  (t) => {
    const workers: RunningWorker[] = [];
    let owner: Account;
    before(async () => {
      owner = await createAccount(t.core, 'splitter');
    });
    after(async () => {
      for (const worker of workers) await worker.stop();
    });

    it('a worker with WORKER_QUEUES=media-probe probes an upload and leaves its image task to a worker that takes media-image', async () => {
      assert.deepEqual(t.config.workerQueues, ['media-probe']);
      workers.push(await startWorker(t.core, { logger: pino({ level: 'silent' }) }));
      const uploaded = await t.core.media.uploadMedia(owner.id, { file: await noiseImage(320, 200, 'png') });

      const [image] = await waitFor(
        async () => {
          const queues = await t.core.jobs.overview();
          const probe = queues.find((q) => q.queue === 'media-probe')!;
          const image = queues.find((q) => q.queue === 'media-image')!;
          return probe.waiting === 0 && probe.active === 0 && image.waiting === 1 && [image];
        },
        { what: 'the probe done and the image task queued' },
      );
      assert.equal(image!.active, 0, 'no worker here takes media-image');
      const probed = await t.core.media.getMedia(owner.id, uploaded.id);
      assert.equal(probed.state, 'processing');

      // The other machine: every queue but the probe.
      workers.push(await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false, queues: QUEUE_NAMES.filter((q) => q !== 'media-probe') }));
      await waitForQueuesDrained(t.core, ['media-probe', 'media-image']);
      const ready = await t.core.media.getMedia(owner.id, uploaded.id);
      assert.equal(ready.state, 'ready', ready.failureReason ?? '');
      assert.ok(ready.smallKey);
    });

    it('a video\'s two tasks run at once on two workers, each taking only its queue, and the last one done makes it ready', { skip: ffmpegMissing ?? false }, async () => {
      for (const worker of workers.splice(0)) await worker.stop();
      const silent = pino({ level: 'silent' });
      // One machine transcodes, the other makes posters: neither could finish the attachment alone.
      workers.push(await startWorker(t.core, { logger: silent, schedules: false, queues: ['media-probe', 'media-video'] }));
      workers.push(await startWorker(t.core, { logger: silent, schedules: false, queues: ['media-thumbnail'] }));
      const uploaded = await t.core.media.uploadMedia(owner.id, { file: await testVideo({ seconds: 1 }) });
      assert.equal(uploaded.type, 'video');
      await waitForQueuesDrained(t.core, ['media-probe', 'media-video', 'media-thumbnail']);
      const ready = await t.core.media.getMedia(owner.id, uploaded.id);
      assert.equal(ready.state, 'ready', ready.failureReason ?? '');
      assert.ok(ready.originalKey?.endsWith('.mp4'), 'the transcode ran');
      assert.ok(ready.smallKey && ready.blurhash, 'the poster ran');
    });

    it('a video that fails after its transcode (its poster gave up) keeps no file and counts nothing against the quota', { skip: ffmpegMissing ?? false }, async () => {
      for (const worker of workers.splice(0)) await worker.stop();
      // No worker takes media-thumbnail: the transcode is done, the poster stays pending.
      workers.push(await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false, queues: ['media-probe', 'media-video'] }));
      const loner = await createAccount(t.core, 'loner');
      const uploaded = await t.core.media.uploadMedia(loner.id, { file: await testVideo({ seconds: 1 }) });
      const transcoded = await waitFor(
        async () => {
          const media = await t.core.media.getMedia(loner.id, uploaded.id);
          return media.originalKey !== null && media;
        },
        { what: 'the transcode written' },
      );
      assert.equal(transcoded.state, 'processing');
      assert.ok(await t.core.media.readFile(transcoded.originalKey!), 'the transcoded file is stored');
      // What the worker does when the poster's last attempt fails.
      await t.core.media.failMedia(uploaded.id, 'the poster gave up');
      const failed = await t.core.media.getMedia(loner.id, uploaded.id);
      assert.equal(failed.state, 'failed');
      assert.deepEqual([failed.originalKey, failed.smallKey], [null, null]);
      assert.equal(await t.core.media.readFile(transcoded.originalKey!), undefined, 'the transcoded file is removed');
      const usage = await t.core.media.mediaStorageOverview(10);
      assert.ok(!usage.topAccounts.some((a) => a.username === loner.username && a.bytes > 0), JSON.stringify(usage.topAccounts));
    });
  },
  { env: { WORKER_QUEUES: 'media-probe' } },
);
