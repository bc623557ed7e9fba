import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Invalid, NotFound, compareIds, type Account, type Post, type Visibility } from '../../src/core/index.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { domainError } from '../helpers/errors.ts';
import { asCard } from '../helpers/post-cards.ts';

const POSTS = 60;

function visibilityOf(i: number): Visibility {
  return ({ 1: 'unlisted', 3: 'private', 5: 'direct' } as Record<number, Visibility>)[i % 10] ?? 'public';
}

const idsOf = (posts: readonly { id: string }[]) => posts.map((p) => p.id);
/** Ids newest first, as timelines return them. */
const newestFirst = (posts: Post[]) => idsOf(posts).reverse();

forEachBackend('timelines', (t) => {
  let amy: Account;
  let bob: Account;
  const made: Post[] = []; // in creation order
  before(async () => {
    amy = await createAccount(t.core, 'amy');
    bob = await createAccount(t.core, 'bob');
    for (let i = 0; i < POSTS; i++) {
      const author = i % 3 === 1 ? bob : amy;
      const tag = i % 3 === 0 ? ' #Paging' : '';
      made.push(await t.core.posts.createPost(author.id, { text: `post ${i}${tag}`, visibility: visibilityOf(i) }));
    }
  });

  const publicIds = () => newestFirst(made.filter((p) => p.visibility === 'public'));

  it('gives posts ids that grow in creation order', () => {
    const ids = idsOf(made);
    assert.deepEqual([...ids].sort(compareIds), ids);
    assert.equal(new Set(ids).size, POSTS);
  });

  describe('publicTimeline', () => {
    it('has the 20 newest public posts, newest first', async () => {
      assert.ok(publicIds().length > 40, 'enough posts to test clamping');
      assert.deepEqual(idsOf(await t.core.posts.publicTimeline()), publicIds().slice(0, 20));
    });

    it('as cards (the website’s list) has the same posts with the same values, for visitors and accounts', async () => {
      await t.core.interactions.favourite(amy.id, made.findLast((p) => p.visibility === 'public')!.id);
      for (const viewer of [undefined, amy.id]) {
        for (const page of [{ limit: 40 }, { limit: 5, maxId: publicIds()[3] }, { limit: 5, minId: publicIds()[30] }]) {
          const posts = await t.core.posts.publicTimeline(page, viewer);
          const cards = await t.core.posts.publicTimelineCards(page, viewer);
          assert.deepEqual(cards, posts.map(asCard));
        }
      }
      assert.ok((await t.core.posts.publicTimelineCards({ limit: 40 }, amy.id)).some((c) => c.favourited), 'the viewer’s flags are on the cards');
    });

    it('leaves out unlisted, private and direct posts', async () => {
      const shown = await t.core.posts.publicTimeline({ limit: 40 });
      assert.ok(shown.every((p) => p.visibility === 'public'));
    });

    it('clamps the limit to 1…40', async () => {
      assert.equal((await t.core.posts.publicTimeline({ limit: 5 })).length, 5);
      assert.equal((await t.core.posts.publicTimeline({ limit: 1000 })).length, 40);
      assert.deepEqual(idsOf(await t.core.posts.publicTimeline({ limit: -3 })), publicIds().slice(0, 1));
    });

    it('maxId gives the posts just older than it, exclusive', async () => {
      const ids = publicIds();
      assert.deepEqual(idsOf(await t.core.posts.publicTimeline({ maxId: ids[4], limit: 3 })), ids.slice(5, 8));
    });

    it('maxId may be the id of a post that is not shown', async () => {
      const hidden = made.findLast((p) => p.visibility === 'private')!;
      const older = newestFirst(made.filter((p) => p.visibility === 'public' && compareIds(p.id, hidden.id) < 0));
      assert.deepEqual(idsOf(await t.core.posts.publicTimeline({ maxId: hidden.id, limit: 2 })), older.slice(0, 2));
    });

    it('sinceId gives the newest posts newer than it, exclusive', async () => {
      const ids = publicIds();
      assert.deepEqual(idsOf(await t.core.posts.publicTimeline({ sinceId: ids[10], limit: 3 })), ids.slice(0, 3));
      assert.deepEqual(idsOf(await t.core.posts.publicTimeline({ sinceId: ids[3] })), ids.slice(0, 3));
    });

    it('minId gives the page immediately newer than it, exclusive, still newest first', async () => {
      const ids = publicIds();
      assert.deepEqual(idsOf(await t.core.posts.publicTimeline({ minId: ids[10], limit: 3 })), ids.slice(7, 10));
      assert.deepEqual(idsOf(await t.core.posts.publicTimeline({ minId: ids[0] })), []);
    });

    it('maxId and sinceId together bound both ends', async () => {
      const ids = publicIds();
      assert.deepEqual(idsOf(await t.core.posts.publicTimeline({ maxId: ids[2], sinceId: ids[6] })), ids.slice(3, 6));
    });

    it('pages down with maxId through every post exactly once', async () => {
      const seen: string[] = [];
      let maxId: string | undefined;
      for (let page = 0; page < 20; page++) {
        const posts = await t.core.posts.publicTimeline({ maxId, limit: 7 });
        if (posts.length === 0) break;
        seen.push(...idsOf(posts));
        maxId = posts.at(-1)!.id;
      }
      assert.deepEqual(seen, publicIds());
    });

    it('pages up with minId through every post exactly once', async () => {
      const ids = publicIds();
      const seen: string[] = [];
      let minId = ids.at(-1)!;
      for (let page = 0; page < 20; page++) {
        const posts = await t.core.posts.publicTimeline({ minId, limit: 7 });
        if (posts.length === 0) break;
        seen.unshift(...idsOf(posts));
        minId = posts[0]!.id;
      }
      assert.deepEqual(seen, ids.slice(0, -1));
    });

    it('refuses bounds that are not ids', async () => {
      await assert.rejects(t.core.posts.publicTimeline({ maxId: 'abc' }), domainError(Invalid, 'maxId'));
      await assert.rejects(t.core.posts.publicTimeline({ minId: '-5' }), domainError(Invalid, 'minId'));
    });
  });

  describe('accountTimeline', () => {
    const byAmy = () => made.filter((p) => p.account.id === amy.id);

    it('shows others and logged-out visitors the public and unlisted posts, newest first', async () => {
      const expected = newestFirst(byAmy().filter((p) => p.visibility === 'public' || p.visibility === 'unlisted')).slice(0, 40);
      assert.deepEqual(idsOf(await t.core.posts.accountTimeline(amy.id, undefined, { limit: 40 })), expected);
      assert.deepEqual(idsOf(await t.core.posts.accountTimeline(amy.id, bob.id, { limit: 40 })), expected);
    });

    it('shows the author every post of theirs', async () => {
      const expected = newestFirst(byAmy()).slice(0, 40);
      const shown = await t.core.posts.accountTimeline(amy.id, amy.id, { limit: 40 });
      assert.deepEqual(idsOf(shown), expected);
      assert.ok(shown.some((p) => p.visibility === 'direct') && shown.some((p) => p.visibility === 'private'));
    });

    it('has only that account’s posts and pages with maxId', async () => {
      const expected = newestFirst(byAmy().filter((p) => p.visibility === 'public' || p.visibility === 'unlisted'));
      const page = await t.core.posts.accountTimeline(amy.id, undefined, { maxId: expected[1], limit: 2 });
      assert.deepEqual(idsOf(page), expected.slice(2, 4));
      assert.ok(page.every((p) => p.account.id === amy.id));
    });

    it('profile returns the account and its first page; unknown usernames are NotFound', async () => {
      const { account, posts } = await t.core.posts.profile(bob.username.toUpperCase(), undefined);
      assert.equal(account.id, bob.id);
      assert.ok(posts.length > 0 && posts.every((p) => p.account.id === bob.id));
      await assert.rejects(t.core.posts.profile('no_such_user', undefined), domainError(NotFound));
    });

    it('profile shows the same posts as accountTimeline, for visitors, others and the author', async () => {
      for (const viewer of [undefined, amy.id, bob.id]) {
        const { posts } = await t.core.posts.profile(bob.username, viewer, { limit: 40 });
        const expected = await t.core.posts.accountTimeline(bob.id, viewer, { limit: 40 });
        assert.deepEqual(idsOf(posts), idsOf(expected));
      }
      const own = await t.core.posts.profile(bob.username, bob.id, { limit: 40 });
      assert.ok(own.posts.some((p) => p.visibility === 'private' || p.visibility === 'direct'));
    });

    it('profile finds an account with no posts (or past its last page)', async () => {
      const quiet = await createAccount(t.core, 'quiet');
      const { account, posts } = await t.core.posts.profile(quiet.username, undefined);
      assert.equal(account.id, quiet.id);
      assert.deepEqual(posts, []);
      const past = await t.core.posts.profile(bob.username, undefined, { maxId: made[0]!.id });
      assert.equal(past.account.id, bob.id);
      assert.deepEqual(past.posts, []);
    });
  });

  describe('tagTimeline', () => {
    const tagged = () => newestFirst(made.filter((p) => p.visibility === 'public' && p.text.includes('#Paging')));

    it('has the public posts with the tag, newest first, in any case and with or without #', async () => {
      assert.ok(made.some((p) => p.visibility !== 'public' && p.text.includes('#Paging')), 'fixture has hidden tagged posts');
      assert.deepEqual(idsOf(await t.core.posts.tagTimeline('paging', { limit: 40 })), tagged());
      assert.deepEqual(idsOf(await t.core.posts.tagTimeline('#PAGING', { limit: 40 })), tagged());
    });

    it('pages with maxId and minId', async () => {
      const ids = tagged();
      assert.deepEqual(idsOf(await t.core.posts.tagTimeline('paging', { maxId: ids[0], limit: 2 })), ids.slice(1, 3));
      assert.deepEqual(idsOf(await t.core.posts.tagTimeline('paging', { minId: ids[5], limit: 2 })), ids.slice(3, 5));
    });

    it('is empty for an unknown tag', async () => {
      assert.deepEqual(await t.core.posts.tagTimeline('nothing_here'), []);
    });

    it('has a tag of 100 characters, and for a longer one nothing, not the posts of its first 100 (issue 7)', async () => {
      const post = await t.core.posts.createPost(amy.id, { text: `#${'ñ'.repeat(100)}` });
      assert.deepEqual(idsOf(await t.core.posts.tagTimeline('Ñ'.repeat(100))), [post.id]);
      assert.deepEqual(await t.core.posts.tagTimeline('ñ'.repeat(120)), []);
    });
  });
});
