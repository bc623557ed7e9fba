import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import sharp from 'sharp';
import { buildApp } from '../../src/web/app.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { BrowserSession, textareaIn } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { noiseImage } from '../helpers/images.ts';
import { waitForQueuesDrained } from '../helpers/wait.ts';
import { postCard } from '../../src/web/html/views/post-card.ts';

// Pictures on the website, as a browser without JavaScript sends them: the compose form as
// multipart/form-data with files and their descriptions, the CSRF token in the multipart body, a refused
// file sent back to the form with the reason and the text kept, the grid on the post, and the
// profile's media tab. A worker runs the image pipeline, as in production.

const MEDIA_QUEUES = ['media-probe', 'media-image'];

/** The home page's compose form fields, as a browser sends them with no picture chosen. */
const EMPTY_SLOTS = { file_3: { name: '', data: Buffer.alloc(0) }, file_4: { name: '', data: Buffer.alloc(0) } };

forEachBackend('website pictures', (t) => {
  let app: FastifyInstance;
  let worker: RunningWorker;
  let alice: BrowserSession;
  before(
    async () => {
      worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      app = await buildApp(t.core);
      alice = new BrowserSession(app);
      assert.equal((await alice.signUp({ username: 'alice' })).statusCode, 303);
    },
    { timeout: 60_000 },
  );
  /** How many files the media storage holds (uploads waiting and variants). */
  const storedFiles = async () => (await readdir(join(t.config.dataDir, 'media'), { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).length;
  after(async () => {
    await app?.close();
    await worker?.stop();
  });

  it('the compose form takes files and alt text without JavaScript', async () => {
    const home = await alice.get('/');
    assert.match(home.body, /<form method="post" action="\/statuses" class="compose-form" enctype="multipart\/form-data">/);
    for (const n of [1, 2, 3, 4]) {
      assert.match(home.body, new RegExp(`<label for="compose-file-${n}">File</label>\\s*<input id="compose-file-${n}" name="file_${n}" type="file" accept="image/`));
      assert.match(home.body, new RegExp(`<textarea id="compose-description-${n}" name="description_${n}" rows="2" maxlength="1500">`));
    }
    assert.match(home.body, /<input id="compose-sensitive" name="sensitive" type="checkbox"/);
    assert.match(home.body, /<details class="compose-pictures">/, 'folded until wanted');
  });

  it('a post with two pictures and their descriptions shows them in a grid, each linking to its original', async () => {
    await alice.get('/');
    const res = await alice.postMultipart(
      '/statuses',
      { status: 'Two pictures', visibility: 'public', description_1: 'A wide noise', description_2: 'A tall <noise>' },
      { file_1: { name: 'wide.jpg', data: await noiseImage(400, 200), type: 'image/jpeg' }, file_2: { name: 'tall.png', data: await noiseImage(100, 300, 'png'), type: 'image/png' }, ...EMPTY_SLOTS },
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    assert.equal(res.headers.location, '/');
    const account = await t.core.accounts.getAccountByUsername('alice');
    const [post] = await t.core.posts.accountStatuses(account.id, account.id, { limit: 1 });
    assert.equal(post!.text, 'Two pictures');
    assert.deepEqual(post!.media.map((m) => [m.description, m.state, m.meta.original?.width, m.meta.original?.height]), [
      ['A wide noise', 'ready', 400, 200],
      ['A tall <noise>', 'ready', 100, 300],
    ]);
    const page = await alice.get(`/@alice/${post!.id}`);
    assert.match(page.body, /<ul class="post-media post-media-2">/);
    const [wide, tall] = post!.media;
    for (const [m, alt] of [[wide!, 'A wide noise'], [tall!, 'A tall &lt;noise&gt;']] as const) {
      const small = m.meta.small!;
      const link = `<a href="/media/${m.originalKey}" class="media-link">`;
      assert.ok(page.body.includes(link), `links to the original of ${alt}`);
      assert.ok(page.body.includes(`<img class="media-image" src="/media/${m.smallKey}" alt="${alt}" width="${small.width}" height="${small.height}" loading="lazy">`), alt);
      // The blurhash placeholder, served as a tiny PNG (the CSP allows no inline styles or data: images).
      const blurPath = `/media/blurhash/${encodeURIComponent(m.blurhash!)}.png`;
      assert.ok(page.body.includes(`<img class="media-blur" src="${blurPath.replaceAll('&', '&amp;')}" alt="" aria-hidden="true"`), 'blurhash under the preview');
      const blur = await app.inject({ url: blurPath });
      assert.equal(blur.statusCode, 200);
      assert.equal(blur.headers['content-type'], 'image/png');
      assert.equal(blur.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal((await sharp(blur.rawPayload).metadata()).width, 32);
      const original = await app.inject({ url: `/media/${m.originalKey}` });
      assert.equal(original.statusCode, 200);
    }
    assert.doesNotMatch(page.body, /style="/, 'no inline styles');
    assert.equal((await app.inject({ url: '/media/blurhash/not-a-hash.png' })).statusCode, 404);
    assert.equal((await app.inject({ url: `/media/blurhash/${'A'.repeat(400)}.png` })).statusCode, 404);
  });

  it('"sensitive" folds the pictures until asked for', async () => {
    await alice.get('/');
    const res = await alice.postMultipart('/statuses', { status: 'Careful', sensitive: '1' }, { file_1: { name: 'a.jpg', data: await noiseImage(50, 50) } });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    const account = await t.core.accounts.getAccountByUsername('alice');
    const [post] = await t.core.posts.accountStatuses(account.id, account.id, { limit: 1 });
    assert.equal(post!.sensitive, true);
    assert.match((await alice.get(`/@alice/${post!.id}`)).body, /<details class="post-sensitive"><summary>Sensitive pictures: show<\/summary><ul class="post-media post-media-1">/);
  });

  it('a text file is refused with the reason, back in the form with the text kept, and nothing is posted or stored', async () => {
    const account = await t.core.accounts.getAccountByUsername('alice');
    const before_ = await t.core.posts.accountStatuses(account.id, account.id, { limit: 40 });
    await waitForQueuesDrained(t.core, MEDIA_QUEUES);
    const filesBefore = await storedFiles();
    await alice.get('/');
    const res = await alice.postMultipart(
      '/statuses',
      { status: 'Look at <this>', spoiler_text: 'kept too' },
      { file_1: { name: 'photo.jpg', data: await noiseImage(40, 40) }, file_2: { name: 'notes.txt', data: Buffer.from('hello, I am text\n'.repeat(10)), type: 'text/plain' } },
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    assert.equal(res.headers.location, '/#compose-error');
    const page = await alice.get('/');
    assert.match(page.body, /<p class="error-message" id="compose-error" role="alert">Picture 2 \(notes\.txt\) was refused: [^<]+ Your text is kept; choose the pictures again\.<\/p>/);
    assert.equal(textareaIn(page.body, 'status'), 'Look at &lt;this&gt;');
    assert.match(page.body, /<details class="compose-pictures" open>/, 'the picture inputs are open, to choose them again');
    assert.match(page.body, /name="spoiler_text" type="text" maxlength="500" value="kept too"/);
    assert.equal((await t.core.posts.accountStatuses(account.id, account.id, { limit: 40 })).length, before_.length, 'nothing posted');
    await waitForQueuesDrained(t.core, MEDIA_QUEUES);
    assert.equal(await storedFiles(), filesBefore, 'the picture that was accepted is not left behind');
  });

  it('too large a picture is refused with the limit', async () => {
    await alice.get('/');
    const big = Buffer.concat([await noiseImage(20, 20), Buffer.alloc(t.config.mediaMaxImageBytes)]);
    const res = await alice.postMultipart('/statuses', { status: 'big one' }, { file_1: { name: 'big.jpg', data: big } });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    const page = await alice.get('/');
    assert.match(page.body, /Picture 1 \(big\.jpg\) was refused: Images have at most [^<]+; this file is larger\. Your text is kept/);
    assert.equal(textareaIn(page.body, 'status'), 'big one');
  });

  it('a description over 1,500 characters is refused with its length', async () => {
    await alice.get('/');
    const res = await alice.postMultipart('/statuses', { status: 'long alt' }, { file_1: { name: 'a.jpg', data: await noiseImage(30, 30) } });
    assert.equal(res.statusCode, 303);
    await alice.get('/');
    const long = await alice.postMultipart('/statuses', { status: 'long alt 2', description_1: 'x'.repeat(1501) }, { file_1: { name: 'a.jpg', data: await noiseImage(30, 30) } });
    assert.equal(long.statusCode, 303);
    assert.match((await alice.get('/')).body, /The description of picture 1: Descriptions have at most 1500 characters; this one has 1501\./);
  });

  it('a multipart post without the CSRF token is refused before any file is stored', async () => {
    await waitForQueuesDrained(t.core, MEDIA_QUEUES);
    const stored = await storedFiles();
    await alice.get('/');
    const res = await alice.postMultipart('/statuses', { status: 'forged' }, { file_1: { name: 'a.jpg', data: await noiseImage(30, 30) } }, { csrf: 'none' });
    assert.equal(res.statusCode, 403);
    const wrong = await alice.postMultipart('/statuses', { status: 'forged' }, { file_1: { name: 'a.jpg', data: await noiseImage(30, 30) } }, { csrf: 'not-a-token' });
    assert.equal(wrong.statusCode, 403);
    assert.equal(await storedFiles(), stored);
    assert.doesNotMatch((await alice.get('/@alice')).body, /forged/);
  });

  it('a form cut off in the middle of a file is a 400 saying so, and nothing is posted', async () => {
    await alice.get('/');
    const form = new FormData();
    form.append('_csrf', alice.csrfToken!);
    form.append('status', 'cut off');
    form.append('file_1', new Blob([new Uint8Array(await noiseImage(200, 200))], { type: 'image/jpeg' }), 'a.jpg');
    const encoded = new Request('http://localhost/', { method: 'POST', body: form });
    const whole = Buffer.from(await encoded.arrayBuffer());
    const res = await alice.request({ method: 'POST', url: '/statuses', headers: { 'content-type': encoded.headers.get('content-type')! }, payload: whole.subarray(0, whole.length - 2000) });
    assert.equal(res.statusCode, 400, res.body.slice(0, 300));
    assert.match(res.body, /interrupted before all of it arrived/);
    assert.doesNotMatch((await alice.get('/@alice')).body, /cut off/);
  });

  it('urlencoded posts (the reply form, old pages) keep working; other forms take no multipart body', async () => {
    const res = await alice.postStatus('plain words');
    assert.equal(res.statusCode, 303);
    assert.match((await alice.get('/@alice')).body, /plain words/);
    await alice.get('/');
    const other = await alice.postMultipart('/auth/sign_out', {});
    assert.equal(other.statusCode, 403, 'a multipart body is not read outside the forms that take files');
  });

  it('the media tab lists only posts with pictures, and is a tab of the profile', async () => {
    const profile = await app.inject({ url: '/@alice' });
    assert.match(profile.body, /<nav class="tabs" aria-label="What to show">\s*<a href="\/@alice" class="tab" aria-current="page">Posts<\/a>\s*<a href="\/@alice\/media" class="tab">Media<\/a>/);
    const media = await app.inject({ url: '/@alice/media' });
    assert.equal(media.statusCode, 200);
    assert.match(media.body, /<a href="\/@alice\/media" class="tab" aria-current="page">Media<\/a>/);
    assert.match(media.body, /Two pictures/);
    assert.match(media.body, /Careful/);
    assert.doesNotMatch(media.body, /plain words/);
    assert.equal((await app.inject({ url: '/@nobody-here/media' })).statusCode, 404);
  });

  it('a picture still processing, or failed, shows a box saying so, never a broken image', async () => {
    const account = await t.core.accounts.getAccountByUsername('alice');
    const [post] = await t.core.posts.accountStatuses(account.id, account.id, { limit: 1, onlyMedia: true });
    // No use case attaches a picture that is not ready; the card is drawn as a post would look if one
    // were (a reprocessing, a lost file), through the view that every page uses.
    for (const state of ['processing', 'failed'] as const) {
      const media = post!.media.map((m) => ({ ...m, state, originalKey: null, smallKey: null }));
      const card = String(postCard({ viewer: undefined, csrfToken: '' }, { ...post!, media }));
      assert.match(card, state === 'failed' ? /<div class="media-placeholder media-failed" role="img" aria-label="A picture that could not be processed: /
        : /<div class="media-placeholder" role="img" aria-label="A picture still being processed: /);
      assert.doesNotMatch(card, /<img/);
    }
  });
});
