import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Account } from '../../src/core/index.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { asCard } from '../helpers/post-cards.ts';

// A page of posts is loaded in a fixed number of queries whatever its size: the core is built with a
// hook that hears every statement, and a page of 20 must cost what a page of 40 costs — with boosts,
// mentions, tags and the viewer's own flags on every post, so none of them can hide an N+1.

let statements: string[] = [];
let counting = false;

forEachBackend(
  'hydrated posts',
  (t) => {
    let viewer: Account;
    let booster: Account;
    before(async () => {
      const author = await createAccount(t.core, 'author');
      viewer = await createAccount(t.core, 'viewer');
      booster = await createAccount(t.core, 'booster');
      await t.core.follows.follow(viewer.id, author.id);
      await t.core.follows.follow(viewer.id, booster.id);
      // 50 posts by the author, each mentioning the viewer with two tags; every other one boosted,
      // favourited and bookmarked by the viewer; so each page is half boosts, half posts.
      for (let i = 0; i < 50; i++) {
        const post = await t.core.posts.createPost(author.id, { text: `post ${i} for @${viewer.username} #one #two${i}` });
        if (i % 2 === 0) {
          await t.core.interactions.reblog(booster.id, post.id);
          await t.core.interactions.favourite(viewer.id, post.id);
          await t.core.interactions.bookmark(viewer.id, post.id);
        }
      }
    });

    async function queriesOf<T>(read: () => Promise<T>): Promise<{ value: T; queries: number }> {
      statements = [];
      counting = true;
      try {
        const value = await read();
        return { value, queries: statements.length };
      } finally {
        counting = false;
      }
    }

    it('the home timeline costs the same for 20 and 40 posts, each fully hydrated', async () => {
      const page20 = await queriesOf(() => t.core.posts.homeTimeline(viewer.id, { limit: 20 }));
      const page40 = await queriesOf(() => t.core.posts.homeTimeline(viewer.id, { limit: 40 }));
      assert.equal(page20.value.length, 20);
      assert.equal(page40.value.length, 40);
      assert.equal(page20.queries, page40.queries, `20 posts: ${page20.queries} queries, 40 posts: ${page40.queries}`);
      assert.ok(page40.queries <= 6, `a page takes ${page40.queries} queries`);
      const boosts = page40.value.filter((p) => p.reblog);
      assert.ok(boosts.length >= 10 && boosts.length < 40, 'the page mixes boosts and posts');
      for (const post of page40.value) {
        const shown = post.reblog ?? post;
        assert.deepEqual(shown.mentions.map((m) => m.id), [viewer.id]);
        assert.equal(shown.tags.length, 2);
        assert.ok(shown.tags.includes('one'));
        const boosted = shown.reblogsCount === 1;
        assert.equal(shown.favourited, boosted, 'favourited flag');
        assert.equal(shown.bookmarked, boosted, 'bookmarked flag');
        assert.equal(shown.reblogged, false, 'the viewer boosted nothing');
        assert.equal(shown.favouritesCount, boosted ? 1 : 0);
      }
    });

    it('the account statuses and the bookmarks cost the same for 20 and 40', async () => {
      const author = (await t.core.posts.homeTimeline(viewer.id, { limit: 1 }))[0]!;
      const authorId = (author.reblog ?? author).account.id;
      const a20 = await queriesOf(() => t.core.posts.accountStatuses(viewer.id, authorId, { limit: 20 }));
      const a40 = await queriesOf(() => t.core.posts.accountStatuses(viewer.id, authorId, { limit: 40 }));
      assert.equal(a20.value.length, 20);
      assert.equal(a40.value.length, 40);
      assert.equal(a20.queries, a40.queries);
      const b10 = await queriesOf(() => t.core.interactions.bookmarksOf(viewer.id, { limit: 10 }));
      const b25 = await queriesOf(() => t.core.interactions.bookmarksOf(viewer.id, { limit: 40 }));
      assert.equal(b10.value.length, 10);
      assert.equal(b25.value.length, 25);
      assert.equal(b10.queries, b25.queries);
    });

    it('a profile page costs what its posts cost: the account comes with them', async () => {
      for (const viewerId of [undefined, viewer.id]) {
        const page = await queriesOf(() => t.core.posts.profile(booster.username.toUpperCase(), viewerId, { limit: 20, reblogs: true }));
        const expected = await queriesOf(() => t.core.posts.accountStatuses(viewerId, booster.id, { limit: 20 }));
        // The page's statement and the one for the boosted posts, no lookup of the account.
        assert.equal(page.queries, expected.queries, `the profile takes ${page.queries} queries, its posts ${expected.queries}`);
        assert.equal(page.value.account.id, booster.id);
        assert.deepEqual(page.value.account, await t.core.accounts.getAccountByUsername(booster.username), 'the whole account, as its own lookup gives it');
        assert.ok(page.value.posts.length > 0 && page.value.posts.every((p) => p.reblog !== null && p.account.id === booster.id));
        assert.deepEqual(page.value.posts, expected.value.map(asCard));
      }
      // Their media tab: boosts carry no attachments of their own, so it is empty, and the account is still found.
      const media = await t.core.posts.profile(booster.username, undefined, { limit: 20, reblogs: true, onlyMedia: true });
      assert.equal(media.account.id, booster.id);
      assert.deepEqual(media.posts, []);
    });
  },
  { core: { onQuery: (sql) => void (counting && statements.push(sql)) } },
);
