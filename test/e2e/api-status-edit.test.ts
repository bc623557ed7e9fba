import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/web/app.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { anotherToken, apiUser, type ApiUser } from '../helpers/api-user.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { bearer } from '../helpers/oauth.ts';
import { waitForQueuesDrained } from '../helpers/wait.ts';
import { ACCOUNT_KEYS, assertStatusShape, sortedKeys } from '../helpers/mastodon-entities.ts';

// Editing over the Mastodon API: PUT /api/v1/statuses/:id as apps send it (JSON, form, multipart),
// GET …/history, edited_at everywhere a Status goes, who may edit, what is refused with a message, and
// the notifications an edit makes (update to boosters, mention to the newly mentioned) in v1 and v2.

const PUBLIC_URL = 'https://social.example';
const BOUNDARY = '----pipit-edit-boundary';
const QUEUES = ['notify-mentions', 'notify-update', 'notify-reblog'];
const STATUS_EDIT_KEYS = ['content', 'spoiler_text', 'sensitive', 'created_at', 'account', 'media_attachments', 'emojis'];

function multipart(fields: Record<string, string>): string {
  const parts = Object.entries(fields).map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return `${parts.join('')}--${BOUNDARY}--\r\n`;
}

type Status = { id: string; content: string; edited_at: string | null; created_at: string; spoiler_text: string; sensitive: boolean; language: string | null; visibility: string; mentions: { username: string }[]; tags: { name: string }[] };
type Edit = { content: string; spoiler_text: string; sensitive: boolean; created_at: string; account: { id: string }; media_attachments: unknown[]; emojis: unknown[] };

forEachBackend(
  'API status editing',
  (t) => {
    let app: FastifyInstance;
    let worker: RunningWorker;
    let ann: ApiUser;
    let bob: ApiUser;
    let cat: ApiUser;
    before(async () => {
      app = await buildApp(t.core);
      worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      ann = await apiUser(app, t.core, { prefix: 'ann' });
      bob = await apiUser(app, t.core, { prefix: 'bob' });
      cat = await apiUser(app, t.core, { prefix: 'cat' });
    });
    after(async () => {
      await worker?.stop();
      await app?.close();
    });

    const create = async (payload: object, token = ann.token): Promise<Status> => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/statuses', headers: bearer(token), payload });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const put = (id: string, payload: object | string, token = ann.token, headers: Record<string, string> = {}) =>
      app.inject({ method: 'PUT', url: `/api/v1/statuses/${id}`, headers: { ...bearer(token), ...headers }, payload });
    const history = async (id: string, token?: string): Promise<Edit[]> => {
      const res = await app.inject({ url: `/api/v1/statuses/${id}/history`, ...(token ? { headers: bearer(token) } : {}) });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    it('a JSON null spoiler_text takes the warning away; an absent one keeps it', async () => {
      const post = await create({ status: 'warned', spoiler_text: 'cw' });
      const kept = await put(post.id, { status: 'warned, edited' });
      assert.equal(kept.json().spoiler_text, 'cw');
      const nulled = await put(post.id, { status: 'warned, edited again', spoiler_text: null });
      assert.equal(nulled.statusCode, 200, nulled.body);
      assert.equal(nulled.json().spoiler_text, '');
    });

    it('edits with JSON, a form and multipart; the answer is the Status with edited_at; history lists every version oldest first', async () => {
      const post = await create({ status: 'first #one', spoiler_text: 'cw', language: 'en' });
      assert.equal(post.edited_at, null, 'never edited: null');
      const unedited = await history(post.id);
      assert.equal(unedited.length, 1);
      assert.equal(unedited[0]!.created_at, post.created_at);

      const json = await put(post.id, { status: `second #two @${bob.account.username}`, spoiler_text: 'new cw', sensitive: true });
      assert.equal(json.statusCode, 200, json.body);
      const edited: Status = json.json();
      assertStatusShape(edited);
      assert.equal(edited.id, post.id);
      assert.ok(edited.edited_at && Date.parse(edited.edited_at) >= Date.parse(post.created_at));
      assert.match(edited.content, /second/);
      assert.match(edited.content, new RegExp(`href="${PUBLIC_URL}/@${bob.account.username}"`));
      assert.deepEqual(edited.mentions.map((m) => m.username), [bob.account.username]);
      assert.deepEqual(edited.tags.map((x) => x.name), ['two']);
      assert.equal(edited.spoiler_text, 'new cw');
      assert.equal(edited.language, 'en', 'an absent language is kept');

      const form = await put(post.id, `status=${encodeURIComponent('third, by form')}&spoiler_text=`, ann.token, { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(form.statusCode, 200, form.body);
      assert.equal(form.json().spoiler_text, '', 'an empty spoiler_text takes the warning away');
      const multi = await put(post.id, multipart({ status: 'fourth, multipart', language: 'fr', 'media_ids[]': '' }), ann.token, { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` });
      assert.equal(multi.statusCode, 200, multi.body);
      assert.equal(multi.json().language, 'fr');

      // edited_at wherever the Status is read.
      const read = (await app.inject({ url: `/api/v1/statuses/${post.id}`, headers: bearer(ann.token) })).json();
      assert.equal(read.edited_at, multi.json().edited_at);
      const timeline = (await app.inject({ url: `/api/v1/accounts/${ann.account.id}/statuses`, headers: bearer(ann.token) })).json() as Status[];
      assert.equal(timeline.find((s) => s.id === post.id)?.edited_at, multi.json().edited_at);

      const versions = await history(post.id);
      assert.equal(versions.length, 4);
      for (const v of versions) {
        assert.deepEqual(Object.keys(v).sort(), sortedKeys(STATUS_EDIT_KEYS));
        assert.deepEqual(Object.keys(v.account).sort(), sortedKeys(ACCOUNT_KEYS));
        assert.deepEqual(v.media_attachments, []);
        assert.deepEqual(v.emojis, []);
      }
      assert.match(versions[0]!.content, /first/);
      assert.equal(versions[0]!.spoiler_text, 'cw');
      assert.equal(versions[0]!.created_at, post.created_at);
      assert.match(versions[1]!.content, /second/);
      assert.equal(versions[1]!.sensitive, true);
      assert.match(versions[3]!.content, /fourth/);
      assert.equal(versions[3]!.created_at, multi.json().edited_at);

      const source = (await app.inject({ url: `/api/v1/statuses/${post.id}/source`, headers: bearer(ann.token) })).json();
      assert.deepEqual(source, { id: post.id, text: 'fourth, multipart', spoiler_text: '' });
    });

    it('refuses bad input with 422 and a message, and changes nothing', async () => {
      const post = await create({ status: 'keep me', visibility: 'unlisted' });
      const cases: [object, RegExp][] = [
        [{ status: '' }, /Write something/],
        [{ status: 'x'.repeat(501) }, /at most 500 characters/],
        [{ status: 'ok', spoiler_text: 'c'.repeat(501) }, /Content warnings/],
        [{ status: 'ok', visibility: 'public' }, /visibility.*cannot change/i],
        [{ status: 'ok', sensitive: 'perhaps' }, /sensitive must be true or false/],
        [{ status: 'ok', language: 'klingon' }, /Language/],
        [{ status: 'ok', media_ids: ['1'] }, /media/],
        [{ status: 'ok', media_attributes: [{ id: '1', description: 'x' }] }, /media_attributes/],
        [{ status: 'ok', poll: { options: ['a', 'b'], expires_in: 600 } }, /poll/],
        [{ status: { nested: true } }, /status must be text/],
      ];
      for (const [payload, message] of cases) {
        const res = await put(post.id, payload);
        assert.equal(res.statusCode, 422, `${JSON.stringify(payload).slice(0, 60)}: ${res.body}`);
        assert.match(res.json().error, message);
      }
      const same = await put(post.id, { status: 'ok', visibility: 'unlisted' });
      assert.equal(same.statusCode, 200, 'the same visibility is fine');
      assert.equal((await history(post.id)).length, 2, 'only the good edit is in the history');
    });

    it('only the author edits: others get 404, a deleted post is 404, and the scope write:statuses is needed', async () => {
      const post = await create({ status: 'mine only' });
      const other = await put(post.id, { status: 'hijacked' }, bob.token);
      assert.equal(other.statusCode, 404, other.body);
      assert.equal(other.json().error, 'Record not found');
      const boost = await app.inject({ method: 'POST', url: `/api/v1/statuses/${post.id}/reblog`, headers: bearer(bob.token) });
      assert.equal((await put(boost.json().id, { status: 'boost edit' }, bob.token)).statusCode, 404);
      const readOnly = await anotherToken(app, ann, 'read');
      assert.equal((await put(post.id, { status: 'read token' }, readOnly)).statusCode, 403);
      assert.equal((await app.inject({ method: 'PUT', url: `/api/v1/statuses/${post.id}`, payload: { status: 'anon' } })).statusCode, 401);
      assert.equal((await put('not-an-id', { status: 'x' })).statusCode, 404);
      assert.doesNotMatch((await app.inject({ url: `/api/v1/statuses/${post.id}` })).body, /hijacked|read token|anon/);

      await app.inject({ method: 'DELETE', url: `/api/v1/statuses/${post.id}`, headers: bearer(ann.token) });
      assert.equal((await put(post.id, { status: 'too late' })).statusCode, 404);
      assert.equal((await app.inject({ url: `/api/v1/statuses/${post.id}/history` })).statusCode, 404);

      const secret = await create({ status: 'followers only', visibility: 'private' });
      assert.equal((await app.inject({ url: `/api/v1/statuses/${secret.id}/history`, headers: bearer(bob.token) })).statusCode, 404, 'the history is as visible as the post');
      assert.equal((await history(secret.id, ann.token)).length, 1);
    });

    it('boosters get an update notification (v1 and v2) and the newly mentioned a mention, once', async () => {
      const post = await create({ status: `hello @${bob.account.username}` });
      await app.inject({ method: 'POST', url: `/api/v1/statuses/${post.id}/reblog`, headers: bearer(cat.token) });
      await waitForQueuesDrained(t.core, QUEUES);
      const res = await put(post.id, { status: `hello @${bob.account.username} and @${cat.account.username}` });
      assert.equal(res.statusCode, 200, res.body);
      await waitForQueuesDrained(t.core, QUEUES);

      type Note = { id: string; type: string; account: { id: string }; status: Status | null };
      const notes = async (token: string, query = ''): Promise<Note[]> => (await app.inject({ url: `/api/v1/notifications${query}`, headers: bearer(token) })).json();
      const catNotes = (await notes(cat.token)).filter((n) => n.status?.id === post.id);
      assert.deepEqual(catNotes.map((n) => n.type).sort(), ['mention', 'update']);
      const update = catNotes.find((n) => n.type === 'update')!;
      assert.equal(update.account.id, ann.account.id, "the notification is from the post's author");
      assertStatusShape(update.status!);
      assert.equal(update.status!.edited_at, res.json().edited_at);
      assert.deepEqual((await notes(cat.token, '?types[]=update')).map((n) => n.id), [update.id], 'types[]=update filters');
      assert.deepEqual((await notes(bob.token)).filter((n) => n.status?.id === post.id).map((n) => n.type), ['mention'], 'bob was mentioned already: no second mention');

      const v2 = (await app.inject({ url: '/api/v2/notifications?types[]=update', headers: bearer(cat.token) })).json();
      assert.equal(v2.notification_groups.length, 1);
      assert.equal(v2.notification_groups[0].type, 'update');
      assert.equal(v2.notification_groups[0].status_id, post.id);
      assert.ok(v2.statuses.some((s: Status) => s.id === post.id && s.edited_at !== null));
    });
  },
  { env: { PUBLIC_URL }, core: { jobs: { superviseIntervalSeconds: 1, pollingIntervalSeconds: 0.5 } } },
);
