import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { Invalid, NotFound, type Account, type Notification } from '../../src/core/index.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { domainError } from '../helpers/errors.ts';
import { waitForQueuesDrained } from '../helpers/wait.ts';

// editPost through the core: the checks of a new post, every version kept, mentions and tags following
// the text, the newly mentioned notified once through the bus, and boosters told by an `update`
// notification. Counted once the queues are drained, never after a pause.

const QUEUES = ['notify-mentions', 'notify-update', 'notify-reblog'];
const FAST_JOBS = { superviseIntervalSeconds: 1, pollingIntervalSeconds: 0.5 };

forEachBackend(
  'editing posts',
  (t) => {
    let worker: RunningWorker;
    let author: Account;
    let fan: Account;
    let old: Account;
    let fresh: Account;
    before(async () => {
      worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      author = await createAccount(t.core, 'author');
      fan = await createAccount(t.core, 'fan');
      old = await createAccount(t.core, 'old');
      fresh = await createAccount(t.core, 'fresh');
    });
    after(() => worker.stop());

    const describe = (n: Notification) => `${n.type} from ${n.from.username} on ${n.post?.id}`;
    const notes = async (account: Account) => (await t.core.notifications.listNotifications(account.id, { limit: 40 })).map(describe);

    it('an edit changes the text, mentions and tags, sets edited_at and keeps the original in the history', async () => {
      const post = await t.core.posts.createPost(author.id, { text: `hello @${old.username} #first`, spoilerText: 'cw', language: 'en' });
      assert.equal(post.editedAt, null);
      assert.equal((await t.core.posts.postHistory(post.id)).length, 1, 'an unedited post is its own history');
      const edited = await t.core.posts.editPost(author.id, post.id, { text: `hello @${fresh.username} #second` });
      assert.equal(edited.text, `hello @${fresh.username} #second`);
      assert.ok(edited.editedAt && edited.editedAt >= post.createdAt);
      assert.deepEqual(edited.mentions.map((m) => m.username), [fresh.username]);
      assert.deepEqual(edited.tags, ['second']);
      assert.match(edited.contentHtml, new RegExp(`/@${fresh.username}`));
      assert.equal(edited.spoilerText, 'cw', 'an absent content warning is kept');
      assert.equal(edited.sensitive, true);
      assert.equal(edited.language, 'en');
      assert.equal(edited.visibility, 'public');
      const history = await t.core.posts.postHistory(post.id);
      assert.deepEqual(history.map((r) => r.text), [`hello @${old.username} #first`, `hello @${fresh.username} #second`]);
      assert.deepEqual(history[0]!.createdAt, post.createdAt);
      assert.deepEqual(history[1]!.createdAt, edited.editedAt);
      const again = await t.core.posts.editPost(author.id, post.id, { text: 'third', spoilerText: '', language: 'de' });
      assert.equal(again.spoilerText, '');
      assert.equal(again.sensitive, false, 'taking the content warning away takes its sensitive flag with it');
      assert.equal(again.language, 'de');
      assert.deepEqual(again.mentions, []);
      assert.deepEqual(again.tags, []);
      assert.equal((await t.core.posts.postHistory(post.id)).length, 3);
    });

    it('an edit passes the checks of a new post and cannot change the visibility', async () => {
      const post = await t.core.posts.createPost(author.id, { text: 'checked', visibility: 'unlisted' });
      await assert.rejects(t.core.posts.editPost(author.id, post.id, { text: '   ' }), domainError(Invalid, 'status'));
      await assert.rejects(t.core.posts.editPost(author.id, post.id, { text: 'x'.repeat(501) }), domainError(Invalid, 'status'));
      await assert.rejects(t.core.posts.editPost(author.id, post.id, { text: 'ok', spoilerText: 'c'.repeat(501) }), domainError(Invalid, 'spoiler_text'));
      await assert.rejects(t.core.posts.editPost(author.id, post.id, { text: 'ok', language: 'english' }), domainError(Invalid, 'language'));
      await assert.rejects(t.core.posts.editPost(author.id, post.id, { text: 'ok', visibility: 'public' }), domainError(Invalid, 'visibility'));
      const same = await t.core.posts.editPost(author.id, post.id, { text: 'ok', visibility: 'unlisted' });
      assert.equal(same.visibility, 'unlisted');
      assert.equal((await t.core.posts.postHistory(post.id)).length, 2, 'refused edits leave no version behind');
    });

    it("only the author edits: another's post, a boost and a deleted post are not found", async () => {
      const post = await t.core.posts.createPost(author.id, { text: 'mine' });
      await assert.rejects(t.core.posts.editPost(fan.id, post.id, { text: 'theirs now' }), domainError(NotFound));
      const boost = await t.core.interactions.reblog(fan.id, post.id);
      await assert.rejects(t.core.posts.editPost(fan.id, boost.id, { text: 'boost text' }), domainError(NotFound));
      await t.core.posts.deletePost(author.id, post.id);
      await assert.rejects(t.core.posts.editPost(author.id, post.id, { text: 'too late' }), domainError(NotFound));
      await assert.rejects(t.core.posts.postHistory(post.id), domainError(NotFound));
      const secret = await t.core.posts.createPost(author.id, { text: 'followers only', visibility: 'private' });
      await assert.rejects(t.core.posts.postHistory(secret.id, fan.id), domainError(NotFound), 'the history is as visible as the post');
      assert.equal((await t.core.posts.postHistory(secret.id, author.id)).length, 1);
    });

    it('the newly mentioned are notified (and emailed) once, the already mentioned not again; boosters get one update notification per post', async () => {
      const post = await t.core.posts.createPost(author.id, { text: `hi @${old.username}` });
      await t.core.interactions.reblog(fan.id, post.id);
      await t.core.interactions.reblog(author.id, post.id); // the author's own boost tells no one
      await waitForQueuesDrained(t.core, QUEUES);
      await t.core.posts.editPost(author.id, post.id, { text: `hi @${old.username} and @${fresh.username}` });
      await waitForQueuesDrained(t.core, QUEUES);
      assert.deepEqual((await notes(old)).filter((n) => n.endsWith(post.id)), [`mention from ${author.username} on ${post.id}`]);
      assert.deepEqual((await notes(fresh)).filter((n) => n.endsWith(post.id)), [`mention from ${author.username} on ${post.id}`]);
      const deliveries = await t.core.notifications.emailDeliveriesOfPost(post.id);
      assert.deepEqual(deliveries.map((d) => d.accountId).sort(), [old.id, fresh.id].sort(), 'one email each');
      assert.deepEqual((await notes(fan)).filter((n) => n.endsWith(post.id)), [`update from ${author.username} on ${post.id}`]);
      assert.deepEqual((await notes(author)).filter((n) => n.startsWith('update')), []);
      const [first] = await t.core.notifications.listNotifications(fan.id, { limit: 1 });
      assert.equal(first!.post?.text, `hi @${old.username} and @${fresh.username}`, 'the notification carries the edited post');

      // Read, then edited again: the one notification comes back up, new and unread.
      await t.core.notifications.markNotificationsRead(fan.id, { upToId: first!.id });
      await t.core.posts.editPost(author.id, post.id, { text: `bye @${old.username} and @${fresh.username}` });
      await waitForQueuesDrained(t.core, QUEUES);
      const updates = (await t.core.notifications.listNotifications(fan.id, { limit: 40 })).filter((n) => n.type === 'update' && n.post?.id === post.id);
      assert.equal(updates.length, 1);
      assert.ok(BigInt(updates[0]!.id) > BigInt(first!.id), 'it sorts first again');
      assert.equal(updates[0]!.readAt, null);
      assert.equal((await t.core.notifications.emailDeliveriesOfPost(post.id)).length, 2, 'nobody emailed twice');

      // A repeated job for the same edit changes nothing.
      await t.core.jobs.send('notify-update', { postId: post.id, authorId: author.id });
      await t.core.jobs.send('notify-mentions', { postId: post.id, authorId: author.id });
      await waitForQueuesDrained(t.core, QUEUES);
      const repeated = (await t.core.notifications.listNotifications(fan.id, { limit: 40 })).filter((n) => n.type === 'update' && n.post?.id === post.id);
      assert.deepEqual(repeated.map((n) => n.id), [updates[0]!.id]);
    });

    it('edits at once all apply, one after the other, leaving one line of history', async () => {
      const post = await t.core.posts.createPost(author.id, { text: 'version 0' });
      const texts = ['version 1', 'version 2', 'version 3', 'version 4'];
      await Promise.all(texts.map((text) => t.core.posts.editPost(author.id, post.id, { text })));
      const history = await t.core.posts.postHistory(post.id);
      assert.equal(history.length, texts.length + 1);
      assert.equal(history[0]!.text, 'version 0');
      assert.deepEqual(history.slice(1).map((r) => r.text).sort(), texts);
      for (let i = 1; i < history.length; i++) assert.ok(history[i]!.createdAt >= history[i - 1]!.createdAt, 'versions in time order');
      const now = await t.core.posts.getPost(post.id);
      assert.equal(now.text, history.at(-1)!.text, 'the post is its last version');
      assert.deepEqual(now.editedAt, history.at(-1)!.createdAt);
    });

    it('what an edit leaves out is taken from the post as the edit before it left it', async () => {
      const post = await t.core.posts.createPost(author.id, { text: 'plain', spoilerText: 'old cw' });
      // Whichever runs second keeps what the other set: the warning is the new one in either order.
      await Promise.all([
        t.core.posts.editPost(author.id, post.id, { text: 'text only' }),
        t.core.posts.editPost(author.id, post.id, { text: 'with a new warning', spoilerText: 'new cw' }),
        t.core.posts.editPost(author.id, post.id, { text: 'text only again' }),
      ]);
      const now = await t.core.posts.getPost(post.id);
      assert.equal(now.spoilerText, 'new cw');
      assert.equal(now.sensitive, true);
    });
  },
  { core: { jobs: FAST_JOBS } },
);
