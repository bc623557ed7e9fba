import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Invalid, NotFound, type Account } from '../../src/core/index.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { domainError } from '../helpers/errors.ts';

forEachBackend('follows', (t) => {
  let ann: Account;
  let ben: Account;
  before(async () => {
    ann = await createAccount(t.core, 'ann');
    ben = await createAccount(t.core, 'ben');
  });
  const account = (a: Account) => t.core.accounts.getAccountByUsername(a.username);

  describe('follow and unfollow', () => {
    it('follow is idempotent, returns the relationship and counts once', async () => {
      const first = await t.core.follows.follow(ann.id, ben.id);
      const again = await t.core.follows.follow(ann.id, ben.id);
      for (const r of [first, again]) {
        assert.equal(r.id, ben.id);
        assert.equal(r.following, true);
        assert.equal(r.followedBy, false);
        assert.equal(r.showingReblogs, true);
        assert.equal(r.notifying, false);
        assert.equal(r.requested, false);
      }
      assert.equal((await account(ann)).followingCount, 1);
      assert.equal((await account(ben)).followersCount, 1);
      const back = await t.core.follows.follow(ben.id, ann.id);
      assert.equal(back.following, true);
      assert.equal(back.followedBy, true);
    });

    it('a repeated follow changes the options given', async () => {
      const r = await t.core.follows.follow(ann.id, ben.id, { reblogs: false, notify: true });
      assert.equal(r.showingReblogs, false);
      assert.equal(r.notifying, true);
      assert.equal((await t.core.follows.follow(ann.id, ben.id, { reblogs: true })).showingReblogs, true);
      assert.equal((await account(ann)).followingCount, 1);
    });

    it('unfollow is idempotent and counts once', async () => {
      const first = await t.core.follows.unfollow(ann.id, ben.id);
      const again = await t.core.follows.unfollow(ann.id, ben.id);
      for (const r of [first, again]) {
        assert.equal(r.following, false);
        assert.equal(r.followedBy, true);
        assert.equal(r.showingReblogs, false);
      }
      assert.equal((await account(ann)).followingCount, 0);
      assert.equal((await account(ben)).followersCount, 0);
      assert.equal((await account(ann)).followersCount, 1);
      assert.deepEqual(await t.core.maintenance.counterDrift(), []);
    });

    it('refuses to follow yourself, and unknown or malformed accounts are NotFound', async () => {
      await assert.rejects(t.core.follows.follow(ann.id, ann.id), domainError(Invalid));
      await assert.rejects(t.core.follows.follow(ann.id, '999999999'), domainError(NotFound));
      await assert.rejects(t.core.follows.follow(ann.id, 'abc'), domainError(NotFound));
      await assert.rejects(t.core.follows.unfollow(ann.id, '999999999'), domainError(NotFound));
      await assert.rejects(t.core.follows.followers('999999999'), domainError(NotFound));
    });
  });

  describe('relationships and lists', () => {
    it('relationships answers for existing accounts, in the order asked', async () => {
      const cat = await createAccount(t.core, 'cat');
      await t.core.follows.follow(ann.id, cat.id);
      const rs = await t.core.follows.relationships(ann.id, [cat.id, 'nope', '999999999', ben.id, cat.id]);
      assert.deepEqual(
        rs.map((r) => [r.id, r.following, r.followedBy]),
        [
          [cat.id, true, false],
          [ben.id, false, true],
        ],
      );
    });

    it('followers and following are newest first and page by the follow id', async () => {
      const star = await createAccount(t.core, 'star');
      const fans: Account[] = [];
      for (let i = 0; i < 5; i++) {
        const fan = await createAccount(t.core, 'fan');
        await t.core.follows.follow(fan.id, star.id);
        fans.push(fan);
      }
      const all = await t.core.follows.followers(star.id);
      assert.deepEqual(all.map((e) => e.account.id), fans.map((f) => f.id).reverse());
      const page1 = await t.core.follows.followers(star.id, { limit: 2 });
      const page2 = await t.core.follows.followers(star.id, { limit: 2, maxId: page1.at(-1)!.pageId });
      assert.deepEqual([...page1, ...page2].map((e) => e.account.id), all.slice(0, 4).map((e) => e.account.id));
      const newer = await t.core.follows.followers(star.id, { limit: 2, minId: page2[0]!.pageId });
      assert.deepEqual(newer.map((e) => e.account.id), all.slice(0, 2).map((e) => e.account.id));
      const following = await t.core.follows.following(fans[0]!.id);
      assert.deepEqual(following.map((e) => e.account.id), [star.id]);
      assert.deepEqual(await t.core.follows.following(star.id), []);
    });
  });
});
