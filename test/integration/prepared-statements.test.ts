import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Account } from '../../src/core/index.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';

// The timelines and a token's lookup run as prepared statements (src/core/db/prepared.ts): one SQL
// text per shape, prepared once per connection, and after five calls PostgreSQL may keep one generic
// plan for it. Every value must still be a parameter of each call: the same statement, called over
// and over (well past the five) for different viewers, authors and pages, gives each call its own answer.

forEachBackend('prepared statements', (t) => {
  let alice: Account;
  let bob: Account;
  let carol: Account;
  const alicePosts: string[] = [];
  const bobPosts: string[] = [];
  before(async () => {
    alice = await createAccount(t.core, 'alice');
    bob = await createAccount(t.core, 'bob');
    carol = await createAccount(t.core, 'carol');
    for (let i = 0; i < 4; i++) {
      alicePosts.push((await t.core.posts.createPost(alice.id, { text: `alice ${i}` })).id);
      bobPosts.push((await t.core.posts.createPost(bob.id, { text: `bob ${i}` })).id);
    }
    // Each viewer has a flag on a different post.
    await t.core.interactions.favourite(alice.id, bobPosts[0]!);
    await t.core.interactions.bookmark(bob.id, alicePosts[1]!);
  });

  it('the public timeline, called again and again, carries each viewer’s own flags', async () => {
    for (let round = 0; round < 8; round++) {
      for (const viewer of [alice, bob, carol]) {
        const page = await t.core.posts.publicTimeline({ limit: 20 }, viewer.id);
        assert.equal(page.length, 8);
        const favourited = page.filter((p) => p.favourited).map((p) => p.id);
        const bookmarked = page.filter((p) => p.bookmarked).map((p) => p.id);
        assert.deepEqual(favourited, viewer === alice ? [bobPosts[0]] : [], `round ${round}, ${viewer.username}`);
        assert.deepEqual(bookmarked, viewer === bob ? [alicePosts[1]] : [], `round ${round}, ${viewer.username}`);
      }
    }
  });

  it('an account’s statuses, called again and again, list that account’s posts, page by page', async () => {
    for (let round = 0; round < 8; round++) {
      for (const [author, posts] of [[alice, alicePosts], [bob, bobPosts]] as const) {
        const first = await t.core.posts.accountStatuses(carol.id, author.id, { limit: 2 });
        assert.deepEqual(first.map((p) => p.id), [posts[3], posts[2]]);
        const next = await t.core.posts.accountStatuses(carol.id, author.id, { limit: 2, maxId: first[1]!.id });
        assert.deepEqual(next.map((p) => p.id), [posts[1], posts[0]]);
      }
    }
  });

  it('the home timeline, called again and again, is each viewer’s own', async () => {
    await t.core.follows.follow(carol.id, alice.id);
    for (let round = 0; round < 8; round++) {
      const carolsHome = await t.core.posts.homeTimeline(carol.id, { limit: 20 });
      assert.deepEqual(carolsHome.map((p) => p.id), [...alicePosts].reverse());
      const bobsHome = await t.core.posts.homeTimeline(bob.id, { limit: 20 });
      assert.deepEqual(bobsHome.map((p) => p.id), [...bobPosts].reverse());
    }
  });
});
