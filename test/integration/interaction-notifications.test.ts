import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import type { Account, Notification } from '../../src/core/index.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { waitForQueuesDrained } from '../helpers/wait.ts';

// follow.created, favourite.created and reblog.created reach their consumers through the bus, after
// commit, and each makes one notification: none for a repeated job, none to oneself, none for an act
// taken back before the job ran. Counted once the queues are drained, never after a pause.

const QUEUES = ['notify-follow', 'notify-favourite', 'notify-reblog'];
const FAST_JOBS = { superviseIntervalSeconds: 1, pollingIntervalSeconds: 0.5 };

forEachBackend(
  'interaction notifications',
  (t) => {
    let worker: RunningWorker;
    let author: Account;
    let fan: Account;
    before(async () => {
      worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      author = await createAccount(t.core, 'author');
      fan = await createAccount(t.core, 'fan');
    });
    after(() => worker.stop());

    const notes = async (account: Account) => (await t.core.notifications.listNotifications(account.id, { limit: 40 })).map(describe);
    const describe = (n: Notification) => `${n.type} from ${n.from.username}${n.post ? ` on ${n.post.id}` : ''}`;

    it('a follow, a favourite and a boost each notify the other account once', async () => {
      const post = await t.core.posts.createPost(author.id, { text: 'notice me' });
      await t.core.follows.follow(fan.id, author.id);
      await t.core.interactions.favourite(fan.id, post.id);
      await t.core.interactions.reblog(fan.id, post.id);
      await waitForQueuesDrained(t.core, QUEUES);
      // Three queues run side by side, so the notifications may be made in any order.
      assert.deepEqual((await notes(author)).sort(), [`favourite from ${fan.username} on ${post.id}`, `follow from ${fan.username}`, `reblog from ${fan.username} on ${post.id}`]);
      assert.deepEqual(await notes(fan), []);
      const reblog = (await t.core.notifications.listNotifications(author.id, { limit: 40 })).find((n) => n.type === 'reblog');
      assert.equal(reblog?.post?.reblogsCount, 1, 'the post comes hydrated');
    });

    it('a repeated job makes no second notification', async () => {
      const before = await notes(author);
      const post = (await t.core.posts.accountStatuses(author.id, author.id, { limit: 1 }))[0]!;
      const [favourite] = await t.core.interactions.favouritedBy(author.id, post.id);
      const [boost] = await t.core.interactions.rebloggedBy(author.id, post.id);
      const [follow] = await t.core.follows.followers(author.id);
      await t.core.jobs.send('notify-favourite', { favouriteId: favourite!.pageId, accountId: fan.id, postId: post.id });
      await t.core.jobs.send('notify-reblog', { reblogId: boost!.pageId, accountId: fan.id, postId: post.id });
      await t.core.jobs.send('notify-follow', { followId: follow!.pageId, accountId: fan.id, targetAccountId: author.id });
      // And the repeated favourite and boost calls publish nothing new.
      await t.core.interactions.favourite(fan.id, post.id);
      await t.core.interactions.reblog(fan.id, post.id);
      await t.core.follows.follow(fan.id, author.id);
      await waitForQueuesDrained(t.core, QUEUES);
      assert.deepEqual(await notes(author), before);
    });

    it('nobody is notified of their own favourite or boost', async () => {
      const own = await t.core.posts.createPost(author.id, { text: 'my own' });
      await t.core.interactions.favourite(author.id, own.id);
      await t.core.interactions.reblog(author.id, own.id);
      await waitForQueuesDrained(t.core, QUEUES);
      assert.ok(!(await notes(author)).some((n) => n.endsWith(own.id)));
    });

    it('taking an act back removes its notification', async () => {
      const post = (await t.core.posts.accountStatuses(author.id, author.id, { excludeReblogs: true, limit: 40 })).at(-1)!;
      await t.core.interactions.unfavourite(fan.id, post.id);
      await t.core.interactions.unreblog(fan.id, post.id);
      await t.core.follows.unfollow(fan.id, author.id);
      await waitForQueuesDrained(t.core, QUEUES);
      assert.deepEqual(await notes(author), []);
    });
  },
  { core: { jobs: FAST_JOBS } },
);
