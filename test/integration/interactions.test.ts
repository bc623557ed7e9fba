import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Forbidden, Invalid, NotFound, type Account, type Post } from '../../src/core/index.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { domainError } from '../helpers/errors.ts';

forEachBackend('favourites, boosts and bookmarks', (t) => {
  let author: Account;
  let fan: Account;
  let stranger: Account;
  let post: Post;
  let secret: Post;
  before(async () => {
    author = await createAccount(t.core, 'author');
    fan = await createAccount(t.core, 'fan');
    stranger = await createAccount(t.core, 'stranger');
    post = await t.core.posts.createPost(author.id, { text: 'hello' });
    secret = await t.core.posts.createPost(author.id, { text: 'followers only', visibility: 'private' });
  });
  const getPost = (id: string, viewerId?: string) => t.core.posts.getPost(id, viewerId);

  describe('favourite', () => {
    it('is idempotent, counts once and sets the flag', async () => {
      const first = await t.core.interactions.favourite(fan.id, post.id);
      const again = await t.core.interactions.favourite(fan.id, post.id);
      for (const p of [first, again]) {
        assert.equal(p.favourited, true);
        assert.equal(p.favouritesCount, 1);
      }
      assert.equal((await getPost(post.id, stranger.id)).favourited, false);
      assert.deepEqual((await t.core.interactions.favouritedBy(undefined, post.id)).map((e) => e.account.id), [fan.id]);
      assert.deepEqual((await t.core.interactions.favouritesOf(fan.id)).map((e) => e.post.id), [post.id]);
    });

    it('unfavourite is idempotent and counts once', async () => {
      const first = await t.core.interactions.unfavourite(fan.id, post.id);
      const again = await t.core.interactions.unfavourite(fan.id, post.id);
      for (const p of [first, again]) {
        assert.equal(p.favourited, false);
        assert.equal(p.favouritesCount, 0);
      }
      assert.deepEqual(await t.core.interactions.favouritedBy(undefined, post.id), []);
      assert.deepEqual(await t.core.interactions.favouritesOf(fan.id), []);
    });

    it('a post the actor may not see is NotFound, like a missing or malformed id', async () => {
      for (const call of [
        () => t.core.interactions.favourite(stranger.id, secret.id),
        () => t.core.interactions.unfavourite(stranger.id, secret.id),
        () => t.core.interactions.reblog(stranger.id, secret.id),
        () => t.core.interactions.unreblog(stranger.id, secret.id),
        () => t.core.interactions.bookmark(stranger.id, secret.id),
        () => t.core.interactions.unbookmark(stranger.id, secret.id),
        () => t.core.interactions.favouritedBy(stranger.id, secret.id),
        () => t.core.interactions.rebloggedBy(undefined, secret.id),
        () => t.core.interactions.favourite(fan.id, '999999999'),
        () => t.core.interactions.favourite(fan.id, 'x'),
      ]) {
        await assert.rejects(call(), domainError(NotFound));
      }
      assert.equal((await getPost(secret.id, author.id)).favouritesCount, 0);
    });
  });

  describe('reblog', () => {
    it('makes one boost per account, counted once, shown with its post inside', async () => {
      const boost = await t.core.interactions.reblog(fan.id, post.id);
      const again = await t.core.interactions.reblog(fan.id, post.id, { visibility: 'unlisted' });
      assert.equal(again.id, boost.id);
      assert.equal(boost.account.id, fan.id);
      assert.equal(boost.visibility, 'public');
      assert.equal(boost.reblog?.id, post.id);
      assert.equal(boost.reblog?.reblogged, true);
      assert.equal(boost.reblog?.reblogsCount, 1);
      assert.equal((await t.core.accounts.getAccountByUsername(fan.username)).statusesCount, 1);
      assert.deepEqual((await t.core.interactions.rebloggedBy(undefined, post.id)).map((e) => e.account.id), [fan.id]);
      const fetched = await t.core.posts.getStatus(boost.id);
      assert.equal(fetched.reblog?.id, post.id, 'getStatus reads a boost, its post inside');
      await assert.rejects(t.core.posts.getPost(boost.id), domainError(NotFound), 'getPost reads posts only');
      // Favouriting the boost favourites its post.
      assert.equal((await t.core.interactions.favourite(stranger.id, boost.id)).id, post.id);
      await t.core.interactions.unfavourite(stranger.id, post.id);
      const statuses = await t.core.posts.accountStatuses(undefined, fan.id);
      assert.deepEqual(statuses.map((p) => p.reblog?.id), [post.id]);
      assert.deepEqual(await t.core.posts.accountStatuses(undefined, fan.id, { excludeReblogs: true }), []);
    });

    it('unreblog is idempotent and counts once', async () => {
      const first = await t.core.interactions.unreblog(fan.id, post.id);
      const again = await t.core.interactions.unreblog(fan.id, post.id);
      for (const p of [first, again]) {
        assert.equal(p.reblogged, false);
        assert.equal(p.reblogsCount, 0);
      }
      assert.equal((await t.core.accounts.getAccountByUsername(fan.username)).statusesCount, 0);
      assert.deepEqual(await t.core.interactions.rebloggedBy(undefined, post.id), []);
    });

    it('refuses private and direct boosts, and boosting others’ private posts; one’s own private post boosts privately', async () => {
      await assert.rejects(t.core.interactions.reblog(fan.id, post.id, { visibility: 'private' }), domainError(Invalid, 'visibility'));
      await assert.rejects(t.core.interactions.reblog(fan.id, post.id, { visibility: 'direct' }), domainError(Invalid, 'visibility'));
      await t.core.follows.follow(fan.id, author.id);
      assert.equal((await getPost(secret.id, fan.id)).id, secret.id, 'the follower sees it');
      await assert.rejects(t.core.interactions.reblog(fan.id, secret.id), domainError(Forbidden));
      const own = await t.core.interactions.reblog(author.id, secret.id);
      assert.equal(own.visibility, 'private');
      assert.equal(own.reblog?.id, secret.id);
      await assert.rejects(t.core.posts.getPost(own.id, stranger.id), domainError(NotFound));
      const direct = await t.core.posts.createPost(author.id, { text: `psst @${fan.username}`, visibility: 'direct' });
      await assert.rejects(t.core.interactions.reblog(author.id, direct.id), domainError(Forbidden));
      await t.core.interactions.unreblog(author.id, secret.id);
      await t.core.follows.unfollow(fan.id, author.id);
    });

    it('deleting a post removes its boosts, favourites and bookmarks, and every counter follows', async () => {
      const doomed = await t.core.posts.createPost(author.id, { text: 'soon gone' });
      await t.core.interactions.reblog(fan.id, doomed.id);
      await t.core.interactions.reblog(stranger.id, doomed.id);
      await t.core.interactions.favourite(fan.id, doomed.id);
      await t.core.interactions.bookmark(stranger.id, doomed.id);
      const before = await t.core.accounts.getAccountByUsername(fan.username);
      await t.core.posts.deletePost(author.id, doomed.id);
      assert.equal((await t.core.accounts.getAccountByUsername(fan.username)).statusesCount, before.statusesCount - 1);
      assert.deepEqual(await t.core.posts.accountStatuses(undefined, fan.id), []);
      assert.deepEqual(await t.core.interactions.bookmarksOf(stranger.id), []);
      assert.deepEqual(await t.core.maintenance.counterDrift(), []);
    });
  });

  describe('bookmark', () => {
    it('is idempotent, private to the account, and paged by the bookmark id', async () => {
      const second = await t.core.posts.createPost(author.id, { text: 'second' });
      assert.equal((await t.core.interactions.bookmark(fan.id, post.id)).bookmarked, true);
      assert.equal((await t.core.interactions.bookmark(fan.id, post.id)).bookmarked, true);
      await t.core.interactions.bookmark(fan.id, second.id);
      const all = await t.core.interactions.bookmarksOf(fan.id);
      assert.deepEqual(all.map((e) => e.post.id), [second.id, post.id]);
      const older = await t.core.interactions.bookmarksOf(fan.id, { maxId: all[0]!.pageId });
      assert.deepEqual(older.map((e) => e.post.id), [post.id]);
      assert.equal((await getPost(post.id, stranger.id)).bookmarked, false);
      assert.equal((await t.core.interactions.unbookmark(fan.id, post.id)).bookmarked, false);
      assert.equal((await t.core.interactions.unbookmark(fan.id, post.id)).bookmarked, false);
      assert.deepEqual((await t.core.interactions.bookmarksOf(fan.id)).map((e) => e.post.id), [second.id]);
    });

    it('a bookmarked post that becomes invisible leaves the list', async () => {
      const other = await createAccount(t.core, 'other');
      const hidden = await t.core.posts.createPost(other.id, { text: 'for followers', visibility: 'private' });
      await t.core.follows.follow(fan.id, other.id);
      await t.core.interactions.bookmark(fan.id, hidden.id);
      assert.ok((await t.core.interactions.bookmarksOf(fan.id)).some((e) => e.post.id === hidden.id));
      await t.core.follows.unfollow(fan.id, other.id);
      assert.ok(!(await t.core.interactions.bookmarksOf(fan.id)).some((e) => e.post.id === hidden.id));
    });
  });

  it('favourited_by and reblogged_by pages go up to 80 accounts (Mastodon\'s maximum), not 40', async () => {
    const popular = await t.core.posts.createPost(author.id, { text: 'popular' });
    const fans = [];
    for (let i = 0; i < 45; i++) fans.push(await createAccount(t.core, 'many'));
    for (const f of fans) {
      await t.core.interactions.favourite(f.id, popular.id);
      await t.core.interactions.reblog(f.id, popular.id);
    }
    assert.equal((await t.core.interactions.favouritedBy(undefined, popular.id, { limit: 80 })).length, 45);
    assert.equal((await t.core.interactions.rebloggedBy(undefined, popular.id, { limit: 80 })).length, 45);
    assert.equal((await t.core.interactions.favouritedBy(undefined, popular.id, { limit: 1000 })).length, 45, 'a larger limit is clamped, not refused');
    assert.equal((await t.core.interactions.favouritedBy(undefined, popular.id)).length, 20, 'the default page is unchanged');
  });
});
