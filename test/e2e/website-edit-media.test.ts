import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/web/app.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { BrowserSession, textareaIn } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { noiseImage } from '../helpers/images.ts';
import { waitForQueuesDrained } from '../helpers/wait.ts';

// Pictures and the website's edit form, as a browser without JavaScript uses it: the form keeps a post's
// pictures (saving the text alone changes none), shows each with its description to change and a box to
// remove it; and a reply takes pictures as a new post does.

const MEDIA_QUEUES = ['media-probe', 'media-image'];

forEachBackend('website: pictures on edits and replies', (t) => {
  let app: FastifyInstance;
  let worker: RunningWorker;
  let alice: BrowserSession;
  let aliceId: string;
  before(
    async () => {
      worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      app = await buildApp(t.core);
      alice = new BrowserSession(app);
      assert.equal((await alice.signUp({ username: 'alice' })).statusCode, 303);
      aliceId = (await t.core.accounts.getAccountByUsername('alice')).id;
    },
    { timeout: 60_000 },
  );
  after(async () => {
    await app?.close();
    await worker?.stop();
  });

  async function postWithPictures(text: string, descriptions: string[]) {
    const ids: string[] = [];
    for (const [i, description] of descriptions.entries()) ids.push((await t.core.media.uploadMedia(aliceId, { file: await noiseImage(60 + i, 40, 'png'), description })).id);
    await waitForQueuesDrained(t.core, MEDIA_QUEUES);
    return t.core.posts.createPost(aliceId, { text, mediaIds: ids });
  }

  it('the edit form keeps the pictures: saving the text alone changes none of them', async () => {
    const post = await postWithPictures('two pictures', ['first picture', 'second picture']);
    const form = await alice.get(`/statuses/${post.id}/edit`);
    assert.equal(form.statusCode, 200);
    for (const m of post.media) {
      assert.match(form.body, new RegExp(`<img class="edit-picture-preview" src="/media/${m.smallKey}"`));
      assert.equal(textareaIn(form.body, `description_${m.id}`), m.description);
      assert.match(form.body, new RegExp(`<input type="checkbox" name="remove_${m.id}" value="1">`));
    }
    // What the browser sends back: the text changed, the descriptions as they were, no box ticked.
    const fields = Object.fromEntries(post.media.map((m) => [`description_${m.id}`, m.description]));
    const saved = await alice.post(`/statuses/${post.id}/edit`, { status: 'two pictures, text edited', spoiler_text: '', ...fields });
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
    const after = await t.core.posts.getPost(post.id);
    assert.equal(after.text, 'two pictures, text edited');
    assert.deepEqual(after.media.map((m) => [m.id, m.description]), post.media.map((m) => [m.id, m.description]));
    const page = await alice.get(`/@alice/${post.id}`);
    assert.match(page.body, /<ul class="post-media post-media-2">/);
  });

  it('the author removes one picture and describes the other anew; the history keeps the earlier version\'s', async () => {
    const post = await postWithPictures('to trim', ['goes away', 'stays']);
    const [gone, kept] = post.media;
    const saved = await alice.post(`/statuses/${post.id}/edit`, {
      status: 'trimmed',
      spoiler_text: '',
      [`description_${gone!.id}`]: 'goes away',
      [`remove_${gone!.id}`]: '1',
      [`description_${kept!.id}`]: 'stays, better described',
    });
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
    const after = await t.core.posts.getPost(post.id);
    assert.deepEqual(after.media.map((m) => [m.id, m.description]), [[kept!.id, 'stays, better described']]);
    assert.equal((await t.core.media.getMedia(aliceId, gone!.id)).statusId, null, 'unattached, for the cleanup');
    const page = await alice.get(`/@alice/${post.id}`);
    assert.match(page.body, /<ul class="post-media post-media-1">/);
    assert.match(page.body, /alt="stays, better described"/);
    const history = await t.core.posts.postHistory(post.id);
    assert.deepEqual(history.map((v) => v.media.map((m) => m.description)), [['goes away', 'stays'], ['stays, better described']]);
  });

  it('a refused edit shows the message and keeps what was typed: a description too long, or no text and no picture', async () => {
    const post = await postWithPictures('', ['only picture']);
    const [m] = post.media;
    const long = await alice.post(`/statuses/${post.id}/edit`, { status: '', spoiler_text: '', [`description_${m!.id}`]: 'x'.repeat(1501) });
    assert.equal(long.statusCode, 422);
    assert.match(long.body, /<p class="error-message" id="edit-pictures-error">Descriptions have at most 1500 characters/);
    assert.equal(textareaIn(long.body, `description_${m!.id}`), 'x'.repeat(1501));
    const empty = await alice.post(`/statuses/${post.id}/edit`, { status: '', spoiler_text: '', [`description_${m!.id}`]: 'only picture', [`remove_${m!.id}`]: '1' });
    assert.equal(empty.statusCode, 422);
    assert.match(empty.body, /<input type="checkbox" name="remove_\d+" value="1" checked>/, 'the box stays ticked');
    assert.deepEqual((await t.core.posts.getPost(post.id)).media.map((x) => x.description), ['only picture'], 'nothing changed');
  });

  it('a reply takes pictures on the thread page, and shows them there', async () => {
    const parent = await t.core.posts.createPost(aliceId, { text: 'a question' });
    const thread = await alice.get(`/@alice/${parent.id}`);
    assert.match(thread.body, /<form method="post" action="\/statuses" class="compose-form" enctype="multipart\/form-data">\s*<input type="hidden" name="_csrf"/);
    assert.match(thread.body, /name="file_1" type="file"/);
    const res = await alice.postMultipart(
      '/statuses',
      { status: 'an answer with a picture', in_reply_to_id: parent.id, return_to: `/@alice/${parent.id}`, description_1: 'the answer' },
      { file_1: { name: 'answer.png', data: await noiseImage(80, 50, 'png'), type: 'image/png' } },
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    const [reply] = await t.core.posts.accountStatuses(aliceId, aliceId, { limit: 1 });
    assert.equal(reply!.inReplyToId, parent.id);
    assert.deepEqual(reply!.media.map((m) => m.description), ['the answer']);
    const page = await alice.get(`/@alice/${parent.id}`);
    assert.match(page.body, /alt="the answer"/);
  });
});
