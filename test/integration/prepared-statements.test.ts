import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Account } from '../../src/core/index.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';

// The timelines and a token's lookup run as prepared statements (src/core/db/prepared.ts): one SQL
// text per shape, prepared once per connection, and after five calls PostgreSQL may keep one generic
// plan for it. Every value must still be a parameter of each call: the same statement, called over
// and over (well past the five) for different viewers, authors and pages, gives each call its own answer.
// Their queries are also built and compiled once per shape (src/core/db/compiled-once.ts), with only
// the values bound per call: the same holds for every kind of viewer, bound and name.

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

  it('the public timeline alternates between a logged-out visitor and accounts, each with its own flags', async () => {
    for (let round = 0; round < 8; round++) {
      const anonymous = await t.core.posts.publicTimeline({ limit: 20 });
      assert.equal(anonymous.length, 8);
      assert.ok(anonymous.every((p) => !p.favourited && !p.bookmarked), `round ${round}`);
      const alices = await t.core.posts.publicTimeline({ limit: 20 }, alice.id);
      assert.deepEqual(alices.filter((p) => p.favourited).map((p) => p.id), [bobPosts[0]]);
    }
  });

  it('pages by since_id and min_id, author after author, each bound its own', async () => {
    for (let round = 0; round < 8; round++) {
      for (const [author, posts] of [[alice, alicePosts], [bob, bobPosts]] as const) {
        const since = await t.core.posts.accountStatuses(carol.id, author.id, { limit: 20, sinceId: posts[1] });
        assert.deepEqual(since.map((p) => p.id), [posts[3], posts[2]]);
        const min = await t.core.posts.accountStatuses(undefined, author.id, { limit: 1, minId: posts[round % 3] });
        assert.deepEqual(min.map((p) => p.id), [posts[(round % 3) + 1]]);
        const between = await t.core.posts.accountStatuses(carol.id, author.id, { limit: 20, maxId: posts[3], sinceId: posts[0] });
        assert.deepEqual(between.map((p) => p.id), [posts[2], posts[1]]);
      }
    }
  });

  it('profiles and hashtags, called again and again, each by its own name', async () => {
    const cats = await t.core.posts.createPost(alice.id, { text: 'about #cats' });
    const dogs = await t.core.posts.createPost(bob.id, { text: 'about #dogs' });
    for (let round = 0; round < 8; round++) {
      assert.deepEqual((await t.core.posts.tagTimeline('cats', { limit: 20 }, carol.id)).map((p) => p.id), [cats.id]);
      assert.deepEqual((await t.core.posts.tagTimeline('dogs', { limit: 20 })).map((p) => p.id), [dogs.id]);
      assert.deepEqual((await t.core.posts.profile(alice.username, undefined, { limit: 1 })).posts.map((p) => p.id), [cats.id]);
      assert.deepEqual((await t.core.posts.profile(bob.username, carol.id, { limit: 1 })).posts.map((p) => p.id), [dogs.id]);
    }
  });

  it('tokens, looked up again and again, each speak for their own account, and a revoked one fails at once', async () => {
    const redirectUri = 'urn:ietf:wg:oauth:2.0:oob';
    const app = await t.core.oauth.registerApp({ clientName: 'prepared', redirectUris: redirectUri, scopes: 'read' });
    const tokenOf = async (account: Account) => {
      const request = await t.core.oauth.validateAuthorizationRequest({ clientId: app.clientId, redirectUri, responseType: 'code', scope: 'read' });
      const code = await t.core.oauth.issueAuthorizationCode(account.id, request);
      return (await t.core.oauth.exchangeAuthorizationCode(app, { code, redirectUri })).accessToken;
    };
    const rule = { name: 'prepared-test', limit: 1_000, windowSeconds: 300 };
    const tokens = [[alice, await tokenOf(alice)], [bob, await tokenOf(bob)]] as const;
    for (let round = 0; round < 8; round++) {
      for (const [account, token] of tokens) {
        const found = await t.core.oauth.authenticateTokenCounting(token, rule, `token:${token}`);
        assert.equal(found?.owner.account?.id, account.id, `round ${round}, ${account.username}`);
        assert.ok(found && !(found.rate instanceof Error), 'not limited');
      }
    }
    await t.core.oauth.revokeToken(app, tokens[0][1]);
    assert.equal(await t.core.oauth.authenticateTokenCounting(tokens[0][1], rule, `token:${tokens[0][1]}`), null);
    assert.equal((await t.core.oauth.authenticateTokenCounting(tokens[1][1], rule, `token:${tokens[1][1]}`))?.owner.account?.id, bob.id);
  });
});
