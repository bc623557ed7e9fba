import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { NotFound, type Account } from '../../src/core/index.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { domainError } from '../helpers/errors.ts';

forEachBackend('home timeline, account statuses and threads', (t) => {
  let me: Account;
  let friend: Account;
  let other: Account;
  before(async () => {
    me = await createAccount(t.core, 'me');
    friend = await createAccount(t.core, 'friend');
    other = await createAccount(t.core, 'other');
  });
  const homeIds = async () => (await t.core.posts.homeTimeline(me.id, { limit: 40 })).map((p) => p.id);

  describe('home', () => {
    it('has my posts and, once I follow, theirs including private ones; unfollowing takes them away', async () => {
      const mine = await t.core.posts.createPost(me.id, { text: 'mine', visibility: 'private' });
      const open = await t.core.posts.createPost(friend.id, { text: 'open' });
      const closed = await t.core.posts.createPost(friend.id, { text: 'for followers', visibility: 'private' });
      const direct = await t.core.posts.createPost(friend.id, { text: `@${other.username} only`, visibility: 'direct' });
      const stranger = await t.core.posts.createPost(other.id, { text: 'not followed' });
      assert.deepEqual(await homeIds(), [mine.id]);
      await t.core.follows.follow(me.id, friend.id);
      assert.deepEqual(await homeIds(), [closed.id, open.id, mine.id]);
      assert.ok(!(await homeIds()).includes(direct.id), 'a direct post to someone else stays out');
      assert.ok(!(await homeIds()).includes(stranger.id));
      await t.core.follows.unfollow(me.id, friend.id);
      assert.deepEqual(await homeIds(), [mine.id]);
    });

    it('has boosts by the accounts I follow unless I hide their boosts; pages with max_id and min_id', async () => {
      const post = await t.core.posts.createPost(other.id, { text: 'worth a boost' });
      await t.core.follows.follow(me.id, friend.id);
      const boost = await t.core.interactions.reblog(friend.id, post.id);
      const home = await t.core.posts.homeTimeline(me.id, { limit: 40 });
      assert.equal(home[0]!.id, boost.id);
      assert.equal(home[0]!.reblog?.id, post.id);
      await t.core.follows.follow(me.id, friend.id, { reblogs: false });
      assert.ok(!(await homeIds()).includes(boost.id));
      await t.core.follows.follow(me.id, friend.id, { reblogs: true });
      const all = await homeIds();
      const older = await t.core.posts.homeTimeline(me.id, { maxId: all[1]!, limit: 2 });
      assert.deepEqual(older.map((p) => p.id), all.slice(2, 4));
      const newer = await t.core.posts.homeTimeline(me.id, { minId: all[3]!, limit: 2 });
      assert.deepEqual(newer.map((p) => p.id), all.slice(1, 3));
      const since = await t.core.posts.homeTimeline(me.id, { sinceId: all[2]!, limit: 40 });
      assert.deepEqual(since.map((p) => p.id), all.slice(0, 2));
    });

    it('a boost of a post I may not see is left out', async () => {
      const secret = await t.core.posts.createPost(friend.id, { text: 'followers only', visibility: 'private' });
      const own = await t.core.interactions.reblog(friend.id, secret.id);
      assert.ok((await homeIds()).includes(own.id), 'a follower sees the private boost of a private post');
      const stranger = await createAccount(t.core, 'stranger');
      await assert.rejects(t.core.posts.getPost(own.id, stranger.id), domainError(NotFound));
      assert.ok(!(await t.core.posts.accountStatuses(stranger.id, friend.id, { limit: 40 })).some((p) => p.id === own.id));
    });
  });

  describe('account statuses', () => {
    it('exclude_replies keeps threads of one’s own, tagged filters by tag, pinned and only_media are empty', async () => {
      const writer = await createAccount(t.core, 'writer');
      const root = await t.core.posts.createPost(writer.id, { text: 'a #Topic' });
      const selfReply = await t.core.posts.createPost(writer.id, { text: 'and more', inReplyToId: root.id });
      const foreign = await t.core.posts.createPost(other.id, { text: 'elsewhere' });
      const reply = await t.core.posts.createPost(writer.id, { text: 'answer', inReplyToId: foreign.id });
      const ids = async (o: Parameters<typeof t.core.posts.accountStatuses>[2]) => (await t.core.posts.accountStatuses(undefined, writer.id, o)).map((p) => p.id);
      assert.deepEqual(await ids({}), [reply.id, selfReply.id, root.id]);
      assert.deepEqual(await ids({ excludeReplies: true }), [selfReply.id, root.id]);
      assert.deepEqual(await ids({ tagged: '#topic' }), [root.id]);
      assert.deepEqual(await ids({ tagged: 'none' }), []);
      assert.deepEqual(await ids({ pinned: true }), []);
      assert.deepEqual(await ids({ onlyMedia: true }), []);
      await assert.rejects(t.core.posts.accountStatuses(undefined, '999999999'), domainError(NotFound));
    });
  });

  describe('thread context', () => {
    it('has the ancestors and the descendants the viewer may see, oldest first', async () => {
      const a = await t.core.posts.createPost(other.id, { text: 'start' });
      const b = await t.core.posts.createPost(friend.id, { text: 'reply', inReplyToId: a.id });
      const c = await t.core.posts.createPost(other.id, { text: 'reply to reply', inReplyToId: b.id });
      const d = await t.core.posts.createPost(friend.id, { text: 'second reply', inReplyToId: a.id });
      const hidden = await t.core.posts.createPost(other.id, { text: `@${friend.username} just us`, inReplyToId: b.id, visibility: 'direct' });
      const ofB = await t.core.posts.postContext(undefined, b.id);
      assert.deepEqual(ofB.ancestors.map((p) => p.id), [a.id]);
      assert.deepEqual(ofB.descendants.map((p) => p.id), [c.id]);
      const ofA = await t.core.posts.postContext(friend.id, a.id);
      assert.deepEqual(ofA.ancestors, []);
      assert.deepEqual(ofA.descendants.map((p) => p.id), [b.id, c.id, d.id, hidden.id]);
      const ofC = await t.core.posts.postContext(me.id, c.id);
      assert.deepEqual(ofC.ancestors.map((p) => p.id), [a.id, b.id]);
      await assert.rejects(t.core.posts.postContext(me.id, hidden.id), domainError(NotFound));
    });
  });
});
