import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { timeOfId } from '../../src/core/domain/ids.ts';
import type { Post } from '../../src/core/index.ts';
import { SEED_PASSWORD } from '../../src/core/seed/seed.ts';
import { forEachBackend } from '../helpers/databases.ts';

const DAY = 24 * 60 * 60 * 1000;

forEachBackend('seed', (t) => {
  const progress: [number, number][] = [];
  let result: { accounts: number; posts: number; password: string };
  let posts: Post[];
  /** When the seeding ran: its posts' times are judged against this, not against the clock at assertion time. */
  let seededFrom: number;
  let seededUntil: number;
  before(async () => {
    seededFrom = Date.now();
    result = await t.core.seed({ accounts: 6, posts: 35, onProgress: (done, total) => progress.push([done, total]) });
    seededUntil = Date.now();
    posts = [...(await t.core.posts.publicTimeline({ limit: 40 }))];
  });

  it('reports and creates the accounts and posts asked for', async () => {
    assert.deepEqual(result, { accounts: 6, posts: 35, password: SEED_PASSWORD });
    assert.equal(await t.core.accounts.countAccounts(), 6);
    assert.equal(posts.length, 35);
  });

  it('reports progress up to the total', () => {
    assert.ok(progress.length >= 2, 'at least once for accounts and once for posts');
    assert.deepEqual(progress.at(-1), [41, 41]);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]![0] > progress[i - 1]![0], 'progress only grows');
  });

  it('keeps the authors’ post counters right', async () => {
    const perAuthor = new Map<string, number>();
    for (const post of posts) perAuthor.set(post.account.id, (perAuthor.get(post.account.id) ?? 0) + 1);
    for (const [id, count] of perAuthor) {
      const account = await t.core.accounts.getAccount(id);
      assert.equal(account.statusesCount, count, account.username);
      assert.ok(account.lastStatusAt instanceof Date);
    }
  });

  it('spreads posts over the last 30 days, with ids matching their time', () => {
    for (const post of posts) {
      const at = post.createdAt.getTime();
      assert.ok(at <= seededUntil && at >= seededFrom - 30 * DAY, post.createdAt.toISOString());
      assert.equal(timeOfId(post.id).getTime(), post.createdAt.getTime());
    }
    assert.ok(posts[0]!.createdAt.getTime() - posts.at(-1)!.createdAt.getTime() > 20 * DAY);
  });

  it('makes accounts that can log in with the seed password', async () => {
    const author = posts[0]!.account;
    // The seed reports the password every seeded account has (the CLI prints it).
    assert.equal((await t.core.accounts.authenticate(author.username, result.password)).id, author.id);
  });

  it('renders mentions, tags and links in the posts', () => {
    const html = posts.map((p) => p.contentHtml).join('\n');
    assert.match(html, /class="u-url mention"/);
    assert.match(html, /class="mention hashtag"/);
    assert.match(html, /<a href="https:\/\/example\.com\//);
  });

  it('notifies mentioned accounts as posting would (issue 7)', async () => {
    const mentioned = (p: Post) => / cc @(\w+)/.exec(p.text)?.[1];
    const mentioning = posts.filter((p) => mentioned(p) !== undefined && mentioned(p) !== p.account.username);
    assert.ok(mentioning.length > 0, 'some seeded posts mention someone');
    for (const post of mentioning) {
      const account = await t.core.accounts.getAccountByUsername(mentioned(post)!);
      const notifications = await t.core.notifications.listNotifications(account.id, { limit: 40 });
      const notification = notifications.find((n) => n.post?.id === post.id);
      assert.ok(notification, `a notification for ${account.username} about post ${post.id}`);
      assert.equal(notification.type, 'mention');
      assert.equal(notification.from.id, post.account.id);
      assert.equal(notification.createdAt.getTime(), post.createdAt.getTime());
      // Read once older than two days, as people read them; recent ones wait, unread.
      const age = Date.now() - post.createdAt.getTime();
      if (Math.abs(age - 2 * DAY) > 10 * 60_000) assert.equal(notification.readAt !== null, age > 2 * DAY, post.createdAt.toISOString());
    }
  });

  it('files tagged posts under their tags', async () => {
    const tagged = posts.find((p) => /#(\w+)/.test(p.text))!;
    const tag = /#(\w+)/.exec(tagged.text)![1]!;
    const timeline = await t.core.posts.tagTimeline(tag, { limit: 40 });
    assert.ok(timeline.some((p) => p.id === tagged.id));
    assert.ok(timeline.every((p) => p.text.toLowerCase().includes(`#${tag.toLowerCase()}`)));
  });

  it('can run again on the same database', async () => {
    const again = await t.core.seed({ accounts: 2, posts: 3 });
    assert.deepEqual(again, { accounts: 2, posts: 3, password: SEED_PASSWORD });
    assert.equal(await t.core.accounts.countAccounts(), 8);
  });

  it('makes the first account follow as many others as asked, counters kept', async () => {
    const made = await t.core.seed({ accounts: 7, posts: 60, follows: 4 });
    assert.ok(made.follower, 'the follower is reported');
    const follower = await t.core.accounts.getAccountByUsername(made.follower);
    const following = await t.core.follows.following(follower.id, { limit: 40 });
    assert.equal(following.length, 4);
    assert.equal(new Set(following.map((f) => f.account.id)).size, 4, 'four different accounts');
    assert.ok(following.every((f) => f.account.id !== follower.id));
    assert.equal(follower.followingCount, 4);
    for (const f of following) assert.equal(f.account.followersCount, 1, f.account.username);
    assert.deepEqual(await t.core.maintenance.counterDrift(), [], 'the counters agree with the rows');
    const followed = (id: string) => id === follower.id || following.some((f) => f.account.id === id);
    const home = await t.core.posts.homeTimeline(follower.id, { limit: 40 });
    assert.ok(home.length > 0, 'the followed accounts posted');
    assert.ok(home.every((p) => followed(p.account.id)), 'only followed accounts on home');
    const everyone = await t.core.posts.publicTimeline({ limit: 40 });
    assert.ok(everyone.some((p) => !followed(p.account.id)), 'while others posted too (the filter had something to leave out)');
  });

  it('creates nothing without accounts', async () => {
    const before = await t.core.accounts.countAccounts();
    assert.deepEqual(await t.core.seed({ accounts: 0, posts: 10 }), { accounts: 0, posts: 0, password: SEED_PASSWORD });
    assert.equal(await t.core.accounts.countAccounts(), before);
  });
});
