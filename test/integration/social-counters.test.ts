import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import fc from 'fast-check';
import { NotFound, type Account, type Post } from '../../src/core/index.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';

// Counters stay exact under concurrent use: fast-check makes random sequences of follow, unfollow,
// favourite, unfavourite, boost and unboost over a few accounts and posts (so the same pair is hit
// again and again), runs each sequence all at once, then compares every stored counter with a fresh
// COUNT of its rows (core.maintenance.counterDrift) and the counts the views show with the lists.

const ACCOUNTS = 4;
const POSTS = 3;

type Op =
  | { kind: 'follow' | 'unfollow'; actor: number; target: number }
  | { kind: 'favourite' | 'unfavourite' | 'reblog' | 'unreblog'; actor: number; post: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc
    .record({ kind: fc.constantFrom('follow' as const, 'unfollow' as const), actor: fc.nat(ACCOUNTS - 1), target: fc.nat(ACCOUNTS - 2) })
    // Never oneself: the target index skips the actor.
    .map((op) => ({ ...op, target: op.target >= op.actor ? op.target + 1 : op.target })),
  fc.record({
    kind: fc.constantFrom('favourite' as const, 'unfavourite' as const, 'reblog' as const, 'unreblog' as const),
    actor: fc.nat(ACCOUNTS - 1),
    post: fc.nat(POSTS - 1),
  }),
);

forEachBackend('counters under concurrency', (t) => {
  let accounts: Account[];
  let posts: Post[];
  before(async () => {
    accounts = [];
    for (let i = 0; i < ACCOUNTS; i++) accounts.push(await createAccount(t.core, 'racer'));
    posts = [];
    for (let i = 0; i < POSTS; i++) posts.push(await t.core.posts.createPost(accounts[i % ACCOUNTS]!.id, { text: `post ${i}` }));
  });

  function run(op: Op): Promise<unknown> {
    const actor = accounts[op.actor]!.id;
    switch (op.kind) {
      case 'follow':
        return t.core.follows.follow(actor, accounts[op.target]!.id);
      case 'unfollow':
        return t.core.follows.unfollow(actor, accounts[op.target]!.id);
      default:
        return t.core.interactions[op.kind](actor, posts[op.post]!.id);
    }
  }

  it('every counter equals a fresh COUNT after random concurrent interactions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        await Promise.all(ops.map(run));
        assert.deepEqual(await t.core.maintenance.counterDrift(), []);
        for (const account of accounts) {
          const shown = await t.core.accounts.getAccountByUsername(account.username);
          assert.equal(shown.followersCount, (await t.core.follows.followers(account.id, { limit: 40 })).length);
          assert.equal(shown.followingCount, (await t.core.follows.following(account.id, { limit: 40 })).length);
        }
        for (const post of posts) {
          const shown = await t.core.posts.getPost(post.id);
          assert.equal(shown.favouritesCount, (await t.core.interactions.favouritedBy(undefined, post.id, { limit: 40 })).length);
          assert.equal(shown.reblogsCount, (await t.core.interactions.rebloggedBy(undefined, post.id, { limit: 40 })).length);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('deleting a post while it is being boosted and favourited leaves every counter exact', async () => {
    const kinds = ['reblog', 'unreblog', 'favourite', 'bookmark'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ kind: fc.constantFrom(...kinds), actor: fc.nat(ACCOUNTS - 1) }), { minLength: 1, maxLength: 20 }),
        fc.nat(20),
        async (ops, deleteAt) => {
          const post = await t.core.posts.createPost(accounts[0]!.id, { text: 'short-lived' });
          const calls = ops.map((op) => () => t.core.interactions[op.kind](accounts[op.actor]!.id, post.id).catch((error: unknown) => {
            // Once the post is gone, NotFound is the right answer.
            if (!(error instanceof NotFound)) throw error;
          }));
          calls.splice(Math.min(deleteAt, calls.length), 0, () => t.core.posts.deletePost(accounts[0]!.id, post.id));
          await Promise.all(calls.map((call) => call()));
          assert.deepEqual(await t.core.maintenance.counterDrift(), []);
        },
      ),
      { numRuns: 15 },
    );
  });
});
