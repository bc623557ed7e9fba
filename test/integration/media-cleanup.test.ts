import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { GAVE_UP_REASON, NotFound, PROCESSING_TTL_MS, QuotaExceeded, UNATTACHED_TTL_MS, type Account, type MediaAttachment } from '../../src/core/index.ts';
import { buildApp } from '../../src/web/app.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { createAccount } from '../helpers/accounts.ts';
import { apiUser } from '../helpers/api-user.ts';
import { uniqueIp } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { domainError } from '../helpers/errors.ts';
import { noiseImage } from '../helpers/images.ts';
import { bearer, registerApp } from '../helpers/oauth.ts';
import { waitForQueuesDrained } from '../helpers/wait.ts';
import { multipartBody } from '../helpers/multipart.ts';

// Media cleanup and quotas (issue 9): the hourly cleanup removes uploads attached to nothing for a day
// (rows, then files) and files no row names once they are a day old, never a file a row names, and a
// second run finds nothing more; the per-account quota (1 MB here) refuses an upload that would pass it
// with what is used and the limit, even two at once at the edge; the admin page shows the figures.
// Ages come from the cleanup's `asOf` and from file times set on disk: nothing waits for a day.

const MEDIA_QUEUES = ['media-probe', 'media-image'];
const DAY_MS = 24 * 3600 * 1000;

/** A key of the shapes storage uses, with a fresh random prefix. */
function freshPrefix(): string {
  return randomBytes(16).toString('hex');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Every file under `dir` (relative paths); none before it exists. */
async function filesUnder(dir: string): Promise<string[]> {
  if (!(await exists(dir))) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

/** A multipart body as a browser's FormData makes it. */
function multipart(file: Buffer) {
  return multipartBody({}, { file: { data: file, name: 'photo.jpg', type: 'image/jpeg' } });
}

forEachBackend(
  'media cleanup and quota',
  (t) => {
    let worker: RunningWorker;
    let app: FastifyInstance;
    let owner: Account;
    let mediaDir: string;
    before(
      async () => {
        worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
        app = await buildApp(t.core);
        owner = await createAccount(t.core, 'keeper');
        mediaDir = join(t.config.dataDir, 'media');
      },
      { timeout: 60_000 },
    );
    after(async () => {
      await app?.close();
      await worker?.stop();
    });

    async function ready(accountId: string, file: Buffer): Promise<MediaAttachment> {
      const uploaded = await t.core.media.uploadMedia(accountId, { file });
      await waitForQueuesDrained(t.core, MEDIA_QUEUES);
      const media = await t.core.media.getMedia(accountId, uploaded.id);
      assert.equal(media.state, 'ready', media.failureReason ?? '');
      return media;
    }

    /** Sets a stored file's times `ms` into the past. */
    async function age(key: string, ms: number): Promise<void> {
      const then = new Date(Date.now() - ms);
      await utimes(join(mediaDir, key), then, then);
    }

    /** Writes a file under storage as a crash would leave it, `ms` old. */
    async function strayFile(key: string, ms: number): Promise<string> {
      const path = join(mediaDir, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, 'left behind');
      await age(key, ms);
      return path;
    }

    describe('cleanup', () => {
      it('removes uploads unattached for a day with their files, keeps attached and young ones, and a second run finds nothing', async () => {
        const attached = await ready(owner.id, await noiseImage(300, 200, 'png'));
        await t.core.posts.createPost(owner.id, { text: 'with a picture', mediaIds: [attached.id] });
        const unattached = await ready(owner.id, await noiseImage(200, 300, 'png'));
        const keys = (m: MediaAttachment) => [m.originalKey!, m.smallKey!];

        const now = await t.core.maintenance.cleanUpMedia();
        assert.equal(now.unattached, 0, 'a young upload stays');
        assert.equal((await t.core.media.getMedia(owner.id, unattached.id)).id, unattached.id);

        const later = { asOf: new Date(Date.now() + UNATTACHED_TTL_MS + 60_000) };
        const first = await t.core.maintenance.cleanUpMedia(later);
        assert.ok(first.unattached >= 1, `removed ${first.unattached}`);
        await assert.rejects(t.core.media.getMedia(owner.id, unattached.id), domainError(NotFound));
        for (const key of keys(unattached)) assert.equal(await exists(join(mediaDir, key)), false, `${key} went with its row`);
        assert.equal((await t.core.media.getMedia(owner.id, attached.id)).statusId !== null, true);
        // At that instant every file is older than a day: the attached ones stay because their row names them.
        for (const key of keys(attached)) assert.ok(await t.core.media.readFile(key), `${key} of an attached upload is kept`);

        const second = await t.core.maintenance.cleanUpMedia(later);
        assert.deepEqual({ unattached: second.unattached, orphanFiles: second.orphanFiles }, { unattached: 0, orphanFiles: 0 });
        for (const key of keys(attached)) assert.ok(await t.core.media.readFile(key), `${key} still kept after a second run`);
      });

      it('removes files no row names once a day old and partial writes, never a file a row names', async () => {
        const attached = await ready(owner.id, await noiseImage(320, 240, 'png'));
        await t.core.posts.createPost(owner.id, { text: 'kept', mediaIds: [attached.id] });
        const waiting = await ready(owner.id, await noiseImage(240, 320, 'png'));
        // Files a row names, however old they look.
        for (const m of [attached, waiting]) for (const key of [m.originalKey!, m.smallKey!]) await age(key, 3 * DAY_MS);

        // An avatar and header the account's row names, however old; a replaced one's stray file.
        const pictured = await t.core.accounts.updateProfileImages(owner.id, { avatar: await noiseImage(50, 50), header: await noiseImage(90, 30) });
        for (const key of [pictured.avatarKey!, pictured.avatarSmallKey!, pictured.headerKey!]) await age(key, 3 * DAY_MS);
        const oldAvatar = await strayFile(`profile/${freshPrefix()}/avatar.webp`, 2 * DAY_MS);
        const prefix = freshPrefix();
        const oldUpload = await strayFile(`incoming/${freshPrefix()}`, 2 * DAY_MS);
        const oldOriginal = await strayFile(`${prefix}/original.jpg`, 2 * DAY_MS);
        const oldSmall = await strayFile(`${prefix}/small.webp`, 2 * DAY_MS);
        const youngUpload = await strayFile(`incoming/${freshPrefix()}`, 60_000);
        const partial = await strayFile(`incoming/.tmp-${randomBytes(8).toString('hex')}`, 2 * DAY_MS);
        // The folder of an attachment whose files went a day ago.
        const emptyFolder = join(mediaDir, freshPrefix());
        await mkdir(emptyFolder);
        const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
        await utimes(emptyFolder, twoDaysAgo, twoDaysAgo);

        const first = await t.core.maintenance.cleanUpMedia();
        assert.equal(first.orphanFiles, 4);
        assert.equal(await exists(oldAvatar), false, 'a profile picture no row names is removed');
        for (const key of [pictured.avatarKey!, pictured.avatarSmallKey!, pictured.headerKey!]) assert.ok(await t.core.media.readFile(key), `${key} kept`);
        assert.equal(first.leftovers, 2, 'the partial file and the empty folder');
        for (const path of [oldUpload, oldOriginal, oldSmall, partial, emptyFolder]) assert.equal(await exists(path), false, `${path} removed`);
        assert.equal(await exists(youngUpload), true, 'a file younger than a day may still get its row');
        for (const m of [attached, waiting]) for (const key of [m.originalKey!, m.smallKey!]) assert.ok(await t.core.media.readFile(key), `${key} kept`);
        assert.equal((await t.core.media.getMedia(owner.id, waiting.id)).state, 'ready');

        const second = await t.core.maintenance.cleanUpMedia();
        assert.equal(second.orphanFiles, 0);
        assert.equal(await exists(youngUpload), true);
      });
    });

    describe('quota', () => {
      let big: Buffer;
      before(async () => {
        big = await noiseImage(1200, 900, 'jpeg');
        // Two of these pass the 1 MB quota; one does not.
        assert.ok(big.length > 512 * 1024 && big.length < 1024 * 1024, `test image of ${big.length} bytes`);
      });

      it('refuses an upload that would pass the quota, saying what is used and the limit', async () => {
        const account = await createAccount(t.core, 'quotafull');
        await t.core.media.uploadMedia(account.id, { file: big });
        await assert.rejects(t.core.media.uploadMedia(account.id, { file: big }), (error: unknown) => {
          domainError(QuotaExceeded, 'file')(error);
          assert.match((error as Error).message, /^Your media use \d+\.\d MB of your 1\.0 MB storage quota, and this file \(0\.6 MB\) would pass it\./);
          return true;
        });
      });

      it('lets only one of two uploads at the edge pass, and keeps no file of the refused one', async () => {
        const account = await createAccount(t.core, 'quotarace');
        await waitForQueuesDrained(t.core, MEDIA_QUEUES);
        const filesBefore = new Set(await filesUnder(mediaDir));
        const results = await Promise.allSettled([t.core.media.uploadMedia(account.id, { file: big }), t.core.media.uploadMedia(account.id, { file: big })]);
        const passed = results.filter((r) => r.status === 'fulfilled');
        const refused = results.filter((r) => r.status === 'rejected');
        assert.equal(passed.length, 1, 'exactly one passes');
        assert.equal(refused.length, 1);
        assert.ok(refused[0]!.reason instanceof QuotaExceeded, String(refused[0]!.reason));
        const overview = await t.core.media.mediaStorageOverview(100);
        const mine = overview.topAccounts.find((a) => a.accountId === account.id);
        assert.equal(mine?.attachments, 1);
        await waitForQueuesDrained(t.core, MEDIA_QUEUES);
        const added = (await filesUnder(mediaDir)).filter((f) => !filesBefore.has(f)).sort();
        const accepted = await t.core.media.getMedia(account.id, (passed[0] as PromiseFulfilledResult<MediaAttachment>).value.id);
        assert.deepEqual(added, [accepted.originalKey, accepted.smallKey].sort(), 'only the accepted upload\'s variants were added');
      });

      it('answers the API 422 with a Mastodon error saying what is used and the limit', async () => {
        const user = await apiUser(app, t.core, { client: await registerApp(app), prefix: 'quotaapi' });
        await t.core.media.uploadMedia(user.id, { file: big });
        const body = await multipart(big);
        const res = await app.inject({
          method: 'POST',
          url: '/api/v2/media',
          remoteAddress: uniqueIp(),
          headers: { ...bearer(user.token), 'content-type': body.contentType },
          payload: body.payload,
        });
        assert.equal(res.statusCode, 422, res.body);
        assert.match((res.json() as { error: string }).error, /of your 1\.0 MB storage quota/);
      });
    });

    describe('admin page', () => {
      async function cookiesOf(account: Account): Promise<Record<string, string>> {
        return { pipit_session: await t.core.sessions.createSession(account.id, { userAgent: 'test', ip: '127.0.0.1' }) };
      }

      it('shows storage used in total and by the top accounts, and the uploads waiting for cleanup; admins only', async () => {
        const admin = await createAccount(t.core, 'storageadmin');
        await t.core.accounts.setAdmin(admin.username, true);
        const other = await createAccount(t.core, 'storagepeek');
        await ready(owner.id, await noiseImage(200, 200, 'png'));
        const overview = await t.core.media.mediaStorageOverview();
        assert.ok(overview.totalBytes > 0);
        assert.ok(overview.unattached >= 1);
        assert.equal(overview.quotaBytes, 1024 * 1024);
        assert.ok(overview.topAccounts.some((a) => a.username === owner.username));

        const res = await app.inject({ url: '/admin/jobs', cookies: await cookiesOf(admin) });
        assert.equal(res.statusCode, 200);
        assert.match(res.body, /<h2 id="storage-title">Media storage<\/h2>/);
        assert.match(res.body, new RegExp(`kept in ${overview.attachments} attachments?\\. Quota per account: 1\\.0 MB\\.`));
        assert.match(res.body, new RegExp(`${overview.unattached} uploads? attached to no post`));
        assert.match(res.body, new RegExp(`>@${owner.username}</a>`));

        assert.equal((await app.inject({ url: '/admin/jobs', cookies: await cookiesOf(other) })).statusCode, 403);
        assert.equal((await app.inject({ url: '/admin/jobs' })).statusCode, 303);
      });
    });
  },
  { env: { MEDIA_QUOTA_MB: '1' }, core: { jobs: { pollingIntervalSeconds: 0.5 } } },
);

// A step whose last attempt is lost with its worker (killed, restarted) goes to the dead-letter queue
// without marking its attachment: a post the website made with a video still processing would show
// "processing" for good. No worker runs in this suite, so an upload stays exactly as such a loss leaves it.
forEachBackend('media cleanup: attachments stuck processing', (t) => {
  it('marks failed, with a reason, the attachments of posts still processing a day after their upload; younger and unattached ones are left to the pipeline and the unattached sweep', async () => {
    const owner = await createAccount(t.core, 'stuck');
    const attached = await t.core.media.uploadMedia(owner.id, { file: await noiseImage(120, 80, 'png') });
    const loose = await t.core.media.uploadMedia(owner.id, { file: await noiseImage(80, 120, 'png') });
    const post = await t.core.posts.createPost(owner.id, { text: 'posted while processing', mediaIds: [attached.id], allowProcessingMedia: true });
    assert.equal(post.media[0]?.state, 'processing');

    const soon = await t.core.maintenance.cleanUpMedia({ asOf: new Date(Date.now() + PROCESSING_TTL_MS - 60_000) });
    assert.equal(soon.stuck, 0, 'within a day the pipeline may still finish it');
    assert.equal((await t.core.media.getMedia(owner.id, attached.id)).state, 'processing');

    const later = await t.core.maintenance.cleanUpMedia({ asOf: new Date(Date.now() + PROCESSING_TTL_MS + 60_000) });
    assert.equal(later.stuck, 1);
    const failed = await t.core.media.getMedia(owner.id, attached.id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.failureReason, GAVE_UP_REASON);
    assert.equal((await t.core.posts.getPost(post.id, owner.id)).media[0]?.state, 'failed', 'the post says it failed');
    // The unattached one was not marked but removed, as any upload attached to nothing for a day.
    await assert.rejects(t.core.media.getMedia(owner.id, loose.id), domainError(NotFound));
    assert.equal((await t.core.maintenance.cleanUpMedia({ asOf: new Date(Date.now() + PROCESSING_TTL_MS + 60_000) })).stuck, 0, 'a second run finds nothing');
  });
});
