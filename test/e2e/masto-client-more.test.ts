import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MastoHttpError, createOAuthAPIClient, type mastodon } from 'masto';
import pino from 'pino';
import { buildApp } from '../../src/web/app.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { mastoUser, registerWithMasto, restClient, type MastoApp, type MastoUser } from '../helpers/masto.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';
import { noiseImage } from '../helpers/images.ts';
import { ffmpegMissing, testVideo } from '../helpers/av-media.ts';

// More of what masto.js apps do beyond the first session (masto-client.test.ts): the profile edited
// with update_credentials (masto sends a multipart PATCH), a retried post with its Idempotency-Key,
// every action undone, the paginator walked backwards (rel="prev"), v2 grouped notifications,
// markers and preferences, a post edited (PUT, /source, /history, the update notification), and a
// picture uploaded with v2.media.create (masto labels a PNG image/jpeg: Pipit goes by the content) and posted,
// and a video (answered 202; masto polls GET /api/v1/media/:id until its `url` is set) posted too.

const PORT = await freePort();
const BASE = `http://127.0.0.1:${PORT}`;

// masto.js 7.12 types a group's `sampleAccountIds` as a string and narrows `type` oddly (a favourite
// group does not type-check), though Mastodon sends an array; read the groups in this plainer shape.
type Group = { type: string; statusId?: string | null; notificationsCount: number; sampleAccountIds: unknown; mostRecentNotificationId: string };
const groupsOf = (results: mastodon.v1.GroupedNotificationsResults) => results.notificationGroups as unknown as Group[];

const ids = (statuses: readonly { id: string }[]) => statuses.map((s) => s.id);

forEachBackend(
  'masto.js client, second session',
  (t) => {
    let app: FastifyInstance;
    let worker: RunningWorker;
    let dana: MastoUser;
    let eli: MastoUser;
    let registered: MastoApp;
    before(async () => {
      app = await buildApp(t.core);
      assert.equal(await app.listen({ port: PORT, host: '127.0.0.1' }), BASE);
      worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      registered = await registerWithMasto(BASE);
      dana = await mastoUser(BASE, app, t.core, registered, 'dana');
      eli = await mastoUser(BASE, app, t.core, registered, 'eli');
    });
    after(async () => {
      await worker?.stop();
      await app?.close();
    });

    it('update_credentials (multipart PATCH) changes the profile; verify_credentials and fetch see it', async () => {
      const updated = await dana.rest.v1.accounts.updateCredentials({ displayName: 'Dana « D » Díaz', note: 'Birds & <bees>', bot: true, discoverable: false });
      assert.equal(updated.id, dana.id);
      assert.equal(updated.displayName, 'Dana « D » Díaz');
      assert.equal(updated.source.note, 'Birds & <bees>');
      assert.match(updated.note, /Birds &amp; &lt;bees&gt;/);
      assert.equal(updated.bot, true);
      assert.equal(updated.discoverable, false);
      const seen = await eli.rest.v1.accounts.$select(dana.id).fetch();
      assert.equal(seen.displayName, 'Dana « D » Díaz');
      assert.equal(seen.note, updated.note);
      assert.equal(seen.bot, true);
    });

    it('v2.media.create uploads a picture (a PNG labelled image/jpeg), and a post carries it', async () => {
      const png = await noiseImage(320, 240, 'png');
      const media = await dana.rest.v2.media.create({ file: new Blob([new Uint8Array(png)], { type: 'image/jpeg' }), description: 'noise, in colour' });
      assert.equal(media.type, 'image');
      assert.ok(media.url, 'the client has the URL once processed');
      assert.equal(media.description, 'noise, in colour');
      assert.equal(media.meta?.original?.width, 320);
      const file = await fetch(media.url);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'image/png');
      const described = await dana.rest.v1.media.$select(media.id).update({ description: 'noise, described again', focus: '0.25,0.5' });
      assert.equal(described.description, 'noise, described again');
      const post = await dana.rest.v1.statuses.create({ status: 'a picture', mediaIds: [media.id] });
      assert.deepEqual(post.mediaAttachments.map((m) => m.id), [media.id]);
      const seen = await eli.rest.v1.statuses.$select(post.id).fetch();
      assert.equal(seen.mediaAttachments[0]?.previewUrl, media.previewUrl);
      assert.equal(seen.mediaAttachments[0]?.description, 'noise, described again');

      // An edit through the client: a second picture first, the first described anew.
      const second = await dana.rest.v2.media.create({ file: new Blob([new Uint8Array(await noiseImage(64, 64, 'png'))], { type: 'image/png' }), description: 'the second' });
      const edited = await dana.rest.v1.statuses.$select(post.id).update({ status: 'two pictures', mediaIds: [second.id, media.id], mediaAttributes: [{ id: media.id, description: 'the first, edited' }] });
      assert.deepEqual(edited.mediaAttachments.map((m) => [m.id, m.description]), [[second.id, 'the second'], [media.id, 'the first, edited']]);
      const versions = await dana.rest.v1.statuses.$select(post.id).history.list();
      assert.deepEqual(versions.map((v) => v.mediaAttachments.map((m) => m.description)), [['noise, described again'], ['the second', 'the first, edited']]);
    });

    it('v2.media.create uploads a video (masto polls until it is transcoded), and a post carries it', { skip: ffmpegMissing ?? false }, async () => {
      const mp4 = await testVideo({ seconds: 1 });
      const media = await dana.rest.v2.media.create({ file: new Blob([new Uint8Array(mp4)], { type: 'video/mp4' }), description: 'a test pattern' });
      assert.equal(media.type, 'video');
      assert.match(media.url ?? '', /\/original\.mp4$/, 'the client has the URL once transcoded');
      assert.match(media.previewUrl ?? '', /\/small\.webp$/);
      assert.equal(media.meta?.original?.width, 320);
      const file = await fetch(media.url!);
      assert.equal(file.headers.get('content-type'), 'video/mp4');
      const post = await dana.rest.v1.statuses.create({ status: 'a clip', mediaIds: [media.id] });
      assert.deepEqual(post.mediaAttachments.map((m) => [m.id, m.type]), [[media.id, 'video']]);
    });

    it('a post retried with the same Idempotency-Key is made once', async () => {
      const key = randomUUID();
      const meta = { requestInit: { headers: { 'Idempotency-Key': key } } };
      const first = await dana.rest.v1.statuses.create({ status: 'once only' }, meta);
      const again = await dana.rest.v1.statuses.create({ status: 'once only' }, meta);
      assert.equal(again.id, first.id);
      const other = await dana.rest.v1.statuses.create({ status: 'once only' }, { requestInit: { headers: { 'Idempotency-Key': randomUUID() } } });
      assert.notEqual(other.id, first.id);
      const mine = await dana.rest.v1.accounts.$select(dana.id).statuses.list({ limit: 40 });
      assert.equal(mine.filter((s) => s.content.includes('once only')).length, 2);
    });

    it('undoes favourite, boost, bookmark and follow', async () => {
      const post = await dana.rest.v1.statuses.create({ status: 'undo me' });
      await eli.rest.v1.statuses.$select(post.id).favourite();
      const boost = await eli.rest.v1.statuses.$select(post.id).reblog();
      await eli.rest.v1.statuses.$select(post.id).bookmark();
      assert.equal((await eli.rest.v1.accounts.$select(dana.id).follow()).following, true);

      const unfaved = await eli.rest.v1.statuses.$select(post.id).unfavourite();
      assert.equal(unfaved.favourited, false);
      assert.equal(unfaved.favouritesCount, 0);
      const unboosted = await eli.rest.v1.statuses.$select(post.id).unreblog();
      assert.equal(unboosted.id, post.id);
      assert.equal(unboosted.reblogged, false);
      assert.equal(unboosted.reblogsCount, 0);
      const unmarked = await eli.rest.v1.statuses.$select(post.id).unbookmark();
      assert.equal(unmarked.bookmarked, false);
      const unfollowed = await eli.rest.v1.accounts.$select(dana.id).unfollow();
      assert.equal(unfollowed.following, false);

      assert.deepEqual(await eli.rest.v1.bookmarks.list(), []);
      assert.deepEqual(await eli.rest.v1.favourites.list(), []);
      const eliPosts = await eli.rest.v1.accounts.$select(eli.id).statuses.list();
      assert.ok(!ids(eliPosts).includes(boost.id), 'the boost is gone from his profile');
      const [rel] = await eli.rest.v1.accounts.relationships.fetch({ id: [dana.id] });
      assert.equal(rel?.following, false);
    });

    it('walks backwards with setDirection("prev") from an old page up to the newest', async (test) => {
      const made: mastodon.v1.Status[] = [];
      for (let i = 1; i <= 5; i += 1) made.push(await dana.rest.v1.statuses.create({ status: `back ${i} #Backwards` }));
      // The first page is the one below made[2]; rel="prev" (min_id) then leads to the next newer ones,
      // each page newest first, until an empty page has no Link.
      const walked: mastodon.v1.Status[][] = [];
      for await (const page of dana.rest.v1.timelines.tag.$select('backwards').list({ limit: 2, maxId: made[2]!.id }).setDirection('prev')) {
        walked.push(page);
        assert.ok(walked.length <= 10, 'the walk ends');
      }
      test.diagnostic(`prev page sizes: ${walked.map((p) => p.length).join(', ')}`);
      const [m0, m1, m2, m3, m4] = ids(made);
      assert.deepEqual(walked.filter((p) => p.length > 0).map(ids), [[m1, m0], [m3, m2], [m4]]);
    });

    it('v2 grouped notifications, markers and preferences', async () => {
      const post = await dana.rest.v1.statuses.create({ status: 'notify me' });
      await eli.rest.v1.statuses.$select(post.id).favourite();
      const grouped = await waitFor(
        async () => {
          const results = await dana.rest.v2.notifications.list();
          return groupsOf(results).some((g) => g.type === 'favourite' && g.statusId === post.id) && results;
        },
        { what: "Dana's favourite notification in v2" },
      );
      const group = groupsOf(grouped).find((g) => g.type === 'favourite' && g.statusId === post.id)!;
      assert.equal(group.notificationsCount, 1);
      assert.deepEqual(group.sampleAccountIds, [eli.id]);
      assert.ok(grouped.accounts.some((a) => a.id === eli.id), 'the accounts of the groups come along');
      assert.ok(grouped.statuses.some((s) => s.id === post.id), 'the statuses of the groups come along');

      const saved = await dana.rest.v1.markers.create({ home: { lastReadId: post.id }, notifications: { lastReadId: group.mostRecentNotificationId } });
      assert.equal(saved.home.lastReadId, post.id);
      assert.equal(saved.notifications.lastReadId, group.mostRecentNotificationId);
      const markers = await dana.rest.v1.markers.fetch({ timeline: ['home', 'notifications'] });
      assert.equal(markers.home.lastReadId, post.id);
      assert.equal(markers.notifications.lastReadId, group.mostRecentNotificationId);
      assert.ok(markers.home.version >= 1);

      // masto.js keeps these colon keys as they are (its camel-casing leaves them alone).
      const preferences = await dana.rest.v1.preferences.fetch();
      assert.equal(preferences['posting:default:visibility'], 'public');
      assert.equal(preferences['posting:default:sensitive'], false);
      assert.equal(preferences['reading:expand:spoilers'], false);
    });

    it('an app token by client_credentials through masto.js: app credentials yes, a user route no', async () => {
      const token = await createOAuthAPIClient({ url: BASE }).token.create({
        grantType: 'client_credentials',
        clientId: registered.testApp.client_id,
        clientSecret: registered.testApp.client_secret,
        redirectUri: registered.testApp.redirect_uri,
        scope: 'read',
      });
      assert.equal(token.scope, 'read');
      const appClient = restClient(BASE, token.accessToken);
      assert.equal((await appClient.v1.apps.verifyCredentials()).name, 'masto.js e2e');
      const refused = await appClient.v1.accounts.verifyCredentials().catch((error: unknown) => error);
      assert.ok(refused instanceof MastoHttpError, String(refused));
      // Mastodon's answer to a user-only method called with an app token, which masto.js surfaces as is.
      assert.equal(refused.statusCode, 422);
      assert.equal(refused.message, 'This method requires an authenticated user');
    });

    it('a refused post reaches masto.js as a 422 saying why; $raw shows the rate-limit headers', async () => {
      const tooLong = 'x'.repeat(t.config.maxPostLength + 1);
      const refused = await dana.rest.v1.statuses.create({ status: tooLong }).catch((error: unknown) => error);
      assert.ok(refused instanceof MastoHttpError, String(refused));
      assert.equal(refused.statusCode, 422);
      assert.match(refused.message, new RegExp(String(t.config.maxPostLength)));
      const raw = await dana.rest.v1.accounts.verifyCredentials.$raw();
      assert.equal(raw.data.id, dana.id);
      assert.equal(raw.headers.get('x-ratelimit-limit'), '100000');
      assert.ok(Number(raw.headers.get('x-ratelimit-remaining')) < 100000);
    });

    it('visibility as masto.js readers meet it: public, unlisted, private and direct posts', async () => {
      const fay = await mastoUser(BASE, app, t.core, registered, 'fay');
      await fay.rest.v1.accounts.$select(dana.id).follow();
      const make = (status: string, visibility: mastodon.v1.StatusVisibility) => dana.rest.v1.statuses.create({ status, visibility });
      const open = await make('vis public #Vis', 'public');
      const quiet = await make('vis unlisted #Vis', 'unlisted');
      const followers = await make('vis private #Vis', 'private');
      const direct = await make(`vis direct @${eli.username} #Vis`, 'direct');
      assert.deepEqual([open, quiet, followers, direct].map((s) => s.visibility), ['public', 'unlisted', 'private', 'direct']);

      const anonymous = restClient(BASE, '');
      const publicIds = ids((await anonymous.v1.timelines.public.list({ limit: 40 })));
      assert.ok(publicIds.includes(open.id) && !publicIds.includes(quiet.id) && !publicIds.includes(followers.id) && !publicIds.includes(direct.id), `public timeline: ${publicIds}`);
      const home = ids(await fay.rest.v1.timelines.home.list({ limit: 40 }));
      assert.deepEqual(home.filter((id) => [open.id, quiet.id, followers.id, direct.id].includes(id)), [followers.id, quiet.id, open.id]);

      assert.equal((await eli.rest.v1.statuses.$select(direct.id).fetch()).visibility, 'direct', 'the one mentioned sees it');
      assert.equal((await eli.rest.v1.statuses.$select(quiet.id).fetch()).id, quiet.id);
      for (const [who, client] of [['a stranger', eli.rest], ['nobody logged in', anonymous]] as const) {
        const hidden = await client.v1.statuses.$select(followers.id).fetch().catch((error: unknown) => error);
        assert.ok(hidden instanceof MastoHttpError && hidden.statusCode === 404, `${who} gets a 404 for a followers-only post: ${String(hidden)}`);
      }
      const hiddenDirect = await fay.rest.v1.statuses.$select(direct.id).fetch().catch((error: unknown) => error);
      assert.ok(hiddenDirect instanceof MastoHttpError && hiddenDirect.statusCode === 404, 'a follower not mentioned does not see a direct post');
      const onProfile = ids(await anonymous.v1.accounts.$select(dana.id).statuses.list({ tagged: 'vis' }));
      assert.deepEqual(onProfile, [quiet.id, open.id]);
      const forFay = ids(await fay.rest.v1.accounts.$select(dana.id).statuses.list({ tagged: 'vis', excludeReplies: true }));
      assert.deepEqual(forFay, [followers.id, quiet.id, open.id]);
    });

    it('the calls an app makes right after login answer what masto.js expects (empty where Pipit lacks the feature)', async () => {
      const api = dana.rest;
      const empties: [string, PromiseLike<unknown[]>][] = [
        ['custom_emojis', api.v1.customEmojis.list()],
        ['filters v1', api.v1.filters.list()],
        ['filters v2', api.v2.filters.list()],
        ['lists', api.v1.lists.list()],
        ['followed_tags', api.v1.followedTags.list()],
        ['follow_requests', api.v1.followRequests.list()],
        ['trends/tags', api.v1.trends.tags.list()],
        ['announcements', api.v1.announcements.list()],
        ['conversations', api.v1.conversations.list()],
      ];
      for (const [name, answer] of empties) assert.deepEqual(await answer, [], name);
      const suggestions = await api.v2.suggestions.list();
      assert.ok(Array.isArray(suggestions), 'suggestions are a list');
    });

    it('dismisses one notification and clears the rest', async () => {
      const gus = await mastoUser(BASE, app, t.core, registered, 'gus');
      const post = await gus.rest.v1.statuses.create({ status: 'for dismissal' });
      await dana.rest.v1.accounts.$select(gus.id).follow();
      await dana.rest.v1.statuses.$select(post.id).favourite();
      const notes = await waitFor(async () => {
        const list = await gus.rest.v1.notifications.list();
        return list.length === 2 && list;
      }, { what: "Gus's follow and favourite notifications" });
      assert.deepEqual(notes.map((n) => n.type).sort(), ['favourite', 'follow']);
      await gus.rest.v1.notifications.$select(notes[0]!.id).dismiss();
      assert.deepEqual((await gus.rest.v1.notifications.list()).map((n) => n.id), [notes[1]!.id]);
      await gus.rest.v1.notifications.clear();
      assert.deepEqual(await gus.rest.v1.notifications.list(), []);
    });

    it('edits a post with $select(id).update: edited_at, source, history, and an update notification to the booster', async () => {
      const fay = await mastoUser(BASE, app, t.core, registered, 'fay');
      const post = await dana.rest.v1.statuses.create({ status: 'before the edit', spoilerText: 'old warning' });
      assert.equal(post.editedAt, null);
      await fay.rest.v1.statuses.$select(post.id).reblog();
      const edited = await dana.rest.v1.statuses.$select(post.id).update({ status: 'after the edit', spoilerText: '', language: 'en' });
      assert.equal(edited.id, post.id);
      assert.match(edited.content, /after the edit/);
      assert.equal(edited.spoilerText, '');
      assert.ok(edited.editedAt && Date.parse(edited.editedAt) >= Date.parse(post.createdAt));
      assert.deepEqual(await dana.rest.v1.statuses.$select(post.id).source.fetch(), { id: post.id, text: 'after the edit', spoilerText: '' });
      const history = await fay.rest.v1.statuses.$select(post.id).history.list();
      assert.deepEqual(history.map((h) => [h.spoilerText, /before|after/.exec(h.content)?.[0]]), [['old warning', 'before'], ['', 'after']]);
      assert.equal(history[0]!.account.id, dana.id);
      const update = await waitFor(async () => (await fay.rest.v1.notifications.list()).find((n) => n.type === 'update'), { what: "Fay's update notification" });
      assert.equal(update.status?.id, post.id);
      assert.equal(update.status?.editedAt, edited.editedAt);
      await assert.rejects(fay.rest.v1.statuses.$select(post.id).update({ status: 'not yours' }), (error: unknown) => error instanceof MastoHttpError && error.statusCode === 404);
    });
  },
  { env: { PUBLIC_URL: BASE, API_RATE_LIMIT: '100000' } },
);
