import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/web/app.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { apiUser, type ApiUser } from '../helpers/api-user.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { noiseImage } from '../helpers/images.ts';
import { bearer } from '../helpers/oauth.ts';
import { waitForQueuesDrained } from '../helpers/wait.ts';

// Media in edits over the Mastodon API: PUT /api/v1/statuses/:id with media_ids[] (the attachments after
// the edit, in order) and media_attributes[] (their alt text and focal point), in JSON and as a form; the
// history's versions each with the media they had; removed attachments unattached for the cleanup; what
// is refused; and replies carrying media.

type Json = Record<string, any>;

forEachBackend(
  'API status editing with media',
  (t) => {
    let app: FastifyInstance;
    let worker: RunningWorker;
    let ann: ApiUser;
    let bob: ApiUser;
    before(async () => {
      app = await buildApp(t.core);
      worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      ann = await apiUser(app, t.core, { prefix: 'ann' });
      bob = await apiUser(app, t.core, { prefix: 'bob' });
    });
    after(async () => {
      await worker?.stop();
      await app?.close();
    });

    /** Ready uploads of `user`, with descriptions `alt-<n>`. */
    async function uploads(user: ApiUser, count: number): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        ids.push((await t.core.media.uploadMedia(user.account.id, { file: await noiseImage(40 + i, 30, 'png'), description: `alt-${ids.length}` })).id);
      }
      await waitForQueuesDrained(t.core, ['media-probe', 'media-image']);
      return ids;
    }
    const create = async (payload: object, token = ann.token): Promise<Json> => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/statuses', headers: bearer(token), payload });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const put = (id: string, payload: object | string, token = ann.token, headers: Record<string, string> = {}) =>
      app.inject({ method: 'PUT', url: `/api/v1/statuses/${id}`, headers: { ...bearer(token), ...headers }, payload });
    const history = async (id: string): Promise<Json[]> => (await app.inject({ url: `/api/v1/statuses/${id}/history` })).json();

    it('media_ids[] replaces the attachments in order, media_attributes[] sets their alt text and focus, and the history shows each version\'s', async () => {
      const [a, b, c] = await uploads(ann, 3);
      const post = await create({ status: 'two pictures', media_ids: [a, b] });
      assert.deepEqual(post.media_attachments.map((m: Json) => m.id), [a, b]);

      const res = await put(post.id, { status: 'swapped one', media_ids: [b, c], media_attributes: [{ id: b, description: 'b, described again', focus: '0.5,-0.5' }] });
      assert.equal(res.statusCode, 200, res.body);
      const edited = res.json();
      assert.deepEqual(edited.media_attachments.map((m: Json) => [m.id, m.description]), [[b, 'b, described again'], [c, 'alt-2']]);
      assert.deepEqual(edited.media_attachments[0].meta.focus, { x: 0.5, y: -0.5 });
      assert.equal(edited.media_attachments[1].url.startsWith(t.config.publicUrl), true);

      // The removed one belongs to no post now: its owner can delete it, and the hourly cleanup would.
      const removed = await t.core.media.getMedia(ann.account.id, a!);
      assert.equal(removed.statusId, null);
      const read = (await app.inject({ url: `/api/v1/statuses/${post.id}` })).json();
      assert.deepEqual(read.media_attachments.map((m: Json) => m.id), [b, c]);

      const versions = await history(post.id);
      assert.equal(versions.length, 2);
      assert.deepEqual(versions[0]!.media_attachments.map((m: Json) => [m.id, m.description]), [[a, 'alt-0'], [b, 'alt-1']], 'the original as it was');
      assert.deepEqual(versions[1]!.media_attachments.map((m: Json) => [m.id, m.description]), [[b, 'b, described again'], [c, 'alt-2']]);
      assert.deepEqual(Object.keys(versions[1]!.media_attachments[0]).sort(), Object.keys(edited.media_attachments[0]).sort(), 'complete MediaAttachments');

      // Once the removed upload is gone, the old version shows what is left of it.
      assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/media/${a}`, headers: bearer(ann.token) })).statusCode, 200);
      assert.deepEqual((await history(post.id))[0]!.media_attachments.map((m: Json) => m.id), [b]);
    });

    it('without media_ids the attachments stay; media_attributes alone changes alt text; a form sends both as Rails brackets', async () => {
      const [a, b] = await uploads(ann, 2);
      const post = await create({ status: 'keep', media_ids: [a, b] });
      const textOnly = await put(post.id, { status: 'keep, edited' });
      assert.equal(textOnly.statusCode, 200, textOnly.body);
      assert.deepEqual(textOnly.json().media_attachments.map((m: Json) => m.id), [a, b]);

      const alt = await put(post.id, { status: 'keep, alt text', media_attributes: [{ id: a, description: 'a new description' }] });
      assert.equal(alt.statusCode, 200, alt.body);
      assert.deepEqual(alt.json().media_attachments.map((m: Json) => m.description), ['a new description', 'alt-1']);

      const form = [
        `status=${encodeURIComponent('by form')}`,
        `media_ids[]=${b}`,
        `media_ids[]=${a}`,
        `media_attributes[][id]=${a}`,
        `media_attributes[][description]=${encodeURIComponent('form a')}`,
        `media_attributes[][id]=${b}`,
        `media_attributes[][description]=${encodeURIComponent('form b')}`,
      ].join('&');
      const byForm = await put(post.id, form, ann.token, { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(byForm.statusCode, 200, byForm.body);
      assert.deepEqual(byForm.json().media_attachments.map((m: Json) => [m.id, m.description]), [[b, 'form b'], [a, 'form a']]);

      const none = await put(post.id, { status: 'no pictures now', media_ids: [] });
      assert.equal(none.statusCode, 200, none.body);
      assert.deepEqual(none.json().media_attachments, []);
      assert.equal((await t.core.media.getMedia(ann.account.id, a!)).statusId, null);
    });

    it('refuses with 422 and a message, changing nothing: more than 4, someone else\'s, attached elsewhere, attributes of others, no text and no media', async () => {
      const mine = await uploads(ann, 5);
      const [theirs] = await uploads(bob, 1);
      const post = await create({ status: 'stays', media_ids: [mine[0]] });
      const elsewhere = await create({ status: 'other post', media_ids: [mine[1]] });
      const pictureOnly = await create({ media_ids: [mine[2]] });
      const cases: [string, object, RegExp][] = [
        [post.id, { status: 'x', media_ids: mine }, /at most 4 attachments/],
        [post.id, { status: 'x', media_ids: [mine[0], theirs] }, /is not one of your uploads/],
        [post.id, { status: 'x', media_ids: [mine[1]] }, /already attached to another post/],
        [post.id, { status: 'x', media_ids: ['abc'] }, /is not a media id/],
        [post.id, { status: 'x', media_attributes: [{ id: mine[3], description: 'not here' }] }, /not an attachment of this post/],
        [post.id, { status: 'x', media_attributes: [{ id: mine[0], description: 'd'.repeat(1501) }] }, /at most 1500 characters/],
        [post.id, { status: 'x', media_attributes: [{ id: mine[0], focus: '3,3' }] }, /focus/i],
        [post.id, { status: 'x', media_attributes: 'nope' }, /media_attributes must be a list/],
        [pictureOnly.id, { status: '', media_ids: [] }, /Write something/],
      ];
      for (const [id, payload, message] of cases) {
        const res = await put(id, payload);
        assert.equal(res.statusCode, 422, `${JSON.stringify(payload).slice(0, 80)}: ${res.body}`);
        assert.match(res.json().error, message);
      }
      assert.equal((await put(post.id, { status: 'x', media_ids: [mine[0]] }, bob.token)).statusCode, 404, 'not the author');
      assert.deepEqual((await app.inject({ url: `/api/v1/statuses/${post.id}` })).json().media_attachments.map((m: Json) => m.id), [mine[0]]);
      assert.deepEqual((await app.inject({ url: `/api/v1/statuses/${elsewhere.id}` })).json().media_attachments.map((m: Json) => m.id), [mine[1]]);
      assert.equal((await history(post.id)).length, 1, 'no version was added');
      assert.equal((await t.core.media.getMedia(ann.account.id, mine[0]!)).description, 'alt-0');
    });

    it('an edit and a new post racing for one upload: one gets it, the other is told it is attached', async () => {
      const [contested] = await uploads(ann, 1);
      const post = await create({ status: 'racing' });
      const [edit, fresh] = await Promise.all([
        put(post.id, { status: 'racing, with it', media_ids: [contested] }),
        app.inject({ method: 'POST', url: '/api/v1/statuses', headers: bearer(ann.token), payload: { status: 'new, with it', media_ids: [contested] } }),
      ]);
      assert.deepEqual([edit.statusCode, fresh.statusCode].sort(), [200, 422], `${edit.body} / ${fresh.body}`);
      const loser = edit.statusCode === 422 ? edit : fresh;
      assert.match(loser.json().error, /already attached/);
      const owner = (await t.core.media.getMedia(ann.account.id, contested!)).statusId;
      assert.equal(owner, edit.statusCode === 200 ? post.id : fresh.json().id);
    });

    it('a reply carries its media, in the Status and in the thread', async () => {
      const [picture] = await uploads(bob, 1);
      const parent = await create({ status: 'show me' });
      const reply = await create({ status: '@ann here', in_reply_to_id: parent.id, media_ids: [picture] }, bob.token);
      assert.equal(reply.in_reply_to_id, parent.id);
      assert.deepEqual(reply.media_attachments.map((m: Json) => m.id), [picture]);
      const context = (await app.inject({ url: `/api/v1/statuses/${parent.id}/context` })).json();
      assert.deepEqual(context.descendants.map((s: Json) => s.media_attachments.map((m: Json) => m.id)), [[picture]]);
    });
  },
  { core: { jobs: { pollingIntervalSeconds: 0.5 } } },
);
