import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { runWithRequestId, type Account } from '../../src/core/index.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { waitFor, waitForQueuesDrained } from '../helpers/wait.ts';

// notify-mentions and send-email end to end: a real worker on the suite's core, a real SMTP server.
// Queue timings are shortened so retries happen within a test. "Exactly once" is checked once the
// work is over (every delivery in its final state, the queues drained), never after a pause.

const smtp: TestSmtp = await startTestSmtp();
const FAST_JOBS = {
  superviseIntervalSeconds: 1,
  pollingIntervalSeconds: 0.5,
  queueOverrides: {
    'send-email': { retryDelay: 1, retryDelayMax: 1, retryLimit: 3, expireInSeconds: 5 },
    'notify-mentions': { retryDelay: 1, retryDelayMax: 1 },
  },
};

/** Log lines the worker writes, to check every one carries the request id. */
const logLines: Record<string, unknown>[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });

after(() => smtp.close());

forEachBackend(
  'mention emails',
  (t) => {
    let worker: RunningWorker;
    let author: Account;
    let mentioned: Account[];
    before(async () => {
      worker = await startWorker(t.core, { logger, schedules: false, mailerOptions: { connectionTimeoutMs: 2000, socketTimeoutMs: 2000 }, emailLeaseSeconds: 3 });
      author = await createAccount(t.core, 'author');
      mentioned = [await createAccount(t.core, 'ann'), await createAccount(t.core, 'ben'), await createAccount(t.core, 'cat')];
    });
    after(() => worker?.stop());

    // Mail bodies are quoted-printable, so messages are matched on their Message-ID (one per delivery).
    const deliveryIds = new Map<string, string[]>();
    const received = (postId: string) => smtp.received.filter((m) => (deliveryIds.get(postId) ?? []).some((id) => m.messageId.startsWith(`<mention-${id}@`)));
    const track = async (postId: string) => {
      deliveryIds.set(postId, (await t.core.notifications.emailDeliveriesOfPost(postId)).map((d) => d.id));
      return received(postId);
    };
    const waitForEmails = (postId: string, n: number, what: string) => waitFor(async () => (await track(postId)).length >= n, { what });
    /**
     * Waits until the post's `n` deliveries are all sent and no mention or email job is left to run
     * (waiting, retrying later or running): from then on nothing can send another email on its own,
     * so the count of what the server received is final.
     */
    const waitUntilAllSent = async (postId: string, n: number) => {
      await waitFor(async () => {
        const deliveries = await t.core.notifications.emailDeliveriesOfPost(postId);
        return deliveries.length === n && deliveries.every((d) => d.state === 'sent');
      }, { what: `${n} deliveries of post ${postId} sent` });
      await waitForQueuesDrained(t.core, ['notify-mentions', 'send-email']);
    };
    const mentionAll = (extra = '') => `Hello ${mentioned.map((a) => '@' + a.username).join(' ')} ${extra}`;

    it('turns a post with three mentions into three notifications and three emails, once each', async () => {
      const firstLogLine = logLines.length;
      const post = await runWithRequestId('req-three-mentions', () =>
        t.core.posts.createPost(author.id, { text: `${mentionAll()} and @${mentioned[0]!.username} again, and me @${author.username}` }),
      );
      await waitForEmails(post.id, 3, 'three emails');
      await waitUntilAllSent(post.id, 3);
      const mails = await track(post.id);
      assert.deepEqual(mails.map((m) => m.to[0]).sort(), mentioned.map((a) => `${a.username}@example.com`).sort());
      for (const mail of mails) {
        assert.match(mail.subject, /mentioned you on Pipit/);
        assert.match(mail.raw, /Content-Type: text\/plain/i);
        assert.match(mail.raw, /Content-Type: text\/html/i);
        assert.match(mail.header('list-unsubscribe') ?? '', /^<http:\/\/localhost:\d+\/unsubscribe\/\d+\.[\w-]+>$/);
        assert.equal(mail.header('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
        assert.match(mail.messageId, /^<mention-\d+@localhost>$/);
      }
      for (const account of mentioned) {
        const notes = await t.core.notifications.listNotifications(account.id);
        assert.equal(notes.filter((n) => n.post?.id === post.id).length, 1);
        assert.equal(notes[0]!.from.id, author.id);
      }
      assert.deepEqual(await t.core.notifications.listNotifications(author.id), [], 'the author is not notified of their own mention');
      const states = (await t.core.notifications.emailDeliveriesOfPost(post.id)).map((d) => d.state);
      assert.deepEqual(states, ['sent', 'sent', 'sent']);
      const jobLines = logLines.slice(firstLogLine).filter((l) => l.queue === 'notify-mentions' || l.queue === 'send-email');
      assert.ok(jobLines.length >= 4);
      assert.ok(jobLines.every((l) => l.reqId === 'req-three-mentions'), 'every handler log line carries the request id');
    });

    it('sends nothing to someone who turned email notifications off, but still notifies them', async () => {
      const [quiet] = [await createAccount(t.core, 'quiet')];
      await t.core.notifications.setEmailNotifications(quiet!.id, false);
      const post = await t.core.posts.createPost(author.id, { text: `psst @${quiet!.username}` });
      await waitFor(async () => (await t.core.notifications.listNotifications(quiet!.id)).length > 0, { what: 'the notification' });
      // The job that writes the notification writes the deliveries too: once it is done, none is coming.
      await waitForQueuesDrained(t.core, ['notify-mentions', 'send-email']);
      assert.equal((await t.core.notifications.listNotifications(quiet!.id)).length, 1);
      assert.deepEqual(await t.core.notifications.emailDeliveriesOfPost(post.id), []);
    });

    it('delivers everything exactly once when the SMTP server refuses for a while, then accepts', async () => {
      smtp.refusing = true;
      const post = await t.core.posts.createPost(author.id, { text: mentionAll('(while the mail server is down)') });
      // Wait until every email has failed at least once, then let the server recover.
      await waitFor(async () => {
        const deliveries = await t.core.notifications.emailDeliveriesOfPost(post.id);
        return deliveries.length === 3 && deliveries.every((d) => d.attempts >= 1 && d.lastError);
      }, { what: 'every email refused once' });
      assert.equal((await track(post.id)).length, 0);
      smtp.refusing = false;
      await waitForEmails(post.id, 3, 'three emails after recovery');
      await waitUntilAllSent(post.id, 3);
      assert.equal((await track(post.id)).length, 3);
      assert.equal(new Set((await track(post.id)).map((m) => m.to[0])).size, 3);
    });

    it('dead-letters an email the server keeps refusing, and sends it once when redriven', async () => {
      smtp.refusing = true;
      const post = await t.core.posts.createPost(author.id, { text: `only @${mentioned[1]!.username}` });
      const dead = await waitFor(async () => (await t.core.jobs.overview()).find((q) => q.queue === 'send-email')!.deadLetter, {
        what: 'the email job in the dead-letter queue',
        timeoutMs: 60_000, // four attempts a second or more apart, each waiting for the server's refusal
      });
      assert.equal(dead, 1, 'the job is in the dead-letter queue');
      assert.equal((await t.core.notifications.emailDeliveriesOfPost(post.id))[0]!.state, 'failed');
      const failures = await t.core.jobs.recentFailures(10);
      assert.ok(failures.some((f) => f.queue === 'send-email' && /refusing/.test(f.error)), 'the failure and its error are visible');
      smtp.refusing = false;
      assert.equal(await t.core.jobs.retryDeadLetters('send-email'), 1);
      await waitForEmails(post.id, 1, 'the redriven email');
      await waitUntilAllSent(post.id, 1);
      assert.equal((await track(post.id)).length, 1);
      assert.equal((await t.core.notifications.emailDeliveriesOfPost(post.id))[0]!.state, 'sent');
    });
  },
  { env: { SMTP_URL: smtp.url }, core: { jobs: FAST_JOBS } },
);

forEachBackend('mention emails without a worker running', (t) => {
  it('sends nothing for a post deleted before its email went out', async () => {
    const author = await createAccount(t.core, 'author');
    const friend = await createAccount(t.core, 'friend');
    const post = await t.core.posts.createPost(author.id, { text: `hi @${friend.username}` });
    assert.deepEqual(await t.core.notifications.notifyMentions(post.id), { notified: 1, emails: 1 });
    assert.deepEqual(await t.core.notifications.notifyMentions(post.id), { notified: 0, emails: 0 }, 'a repeated job changes nothing');
    await t.core.posts.deletePost(author.id, post.id);
    const [delivery] = await t.core.notifications.emailDeliveriesOfPost(post.id);
    const claim = await t.core.notifications.claimEmailDelivery(delivery!.id, 60);
    assert.deepEqual(claim, { kind: 'done', reason: 'post deleted' });
    assert.equal((await t.core.notifications.emailDeliveriesOfPost(post.id))[0]!.state, 'cancelled');
  });

  it('notifies a batch of posts in one call: each post answered, a deleted or repeated one notifying no one, one email job per post', async () => {
    const author = await createAccount(t.core, 'batcher');
    const [ann, ben, cat] = [await createAccount(t.core, 'b_ann'), await createAccount(t.core, 'b_ben'), await createAccount(t.core, 'b_cat')];
    await t.core.notifications.setEmailNotifications(cat.id, false);
    const two = await t.core.posts.createPost(author.id, { text: `hi @${ann.username} and @${ben.username}` });
    const quiet = await t.core.posts.createPost(author.id, { text: `hi @${cat.username} (no email wanted)` });
    const gone = await t.core.posts.createPost(author.id, { text: `hi @${ann.username}, soon deleted` });
    const self = await t.core.posts.createPost(author.id, { text: `talking to myself @${author.username}` });
    await t.core.posts.deletePost(author.id, gone.id);
    const waitingBefore = (await t.core.jobs.overview()).find((q) => q.queue === 'send-email')!.waiting;

    const answers = await t.core.notifications.notifyMentionsOfPosts([two.id, quiet.id, gone.id, self.id, two.id, 'not-an-id'].map((postId) => ({ postId, reqId: `req-${postId}` })));
    assert.deepEqual(answers, [
      { notified: 2, emails: 2 },
      { notified: 1, emails: 0 },
      { notified: 0, emails: 0 },
      { notified: 0, emails: 0 },
      { notified: 0, emails: 0 },
      { notified: 0, emails: 0 },
    ]);
    assert.equal((await t.core.jobs.overview()).find((q) => q.queue === 'send-email')!.waiting - waitingBefore, 1, 'one job carries both emails of the post');
    assert.deepEqual((await t.core.notifications.emailDeliveriesOfPost(two.id)).map((d) => d.state), ['pending', 'pending']);
    assert.equal((await t.core.notifications.listNotifications(ann.id)).length, 1);
    assert.equal((await t.core.notifications.listNotifications(cat.id)).length, 1, 'a notification even without email');
  });

  it('claims a batch of emails at once, handing each out once only', async () => {
    const author = await createAccount(t.core, 'claimer');
    const [ann, ben] = [await createAccount(t.core, 'c_ann'), await createAccount(t.core, 'c_ben')];
    const post = await t.core.posts.createPost(author.id, { text: `hi @${ann.username} and @${ben.username}` });
    await t.core.notifications.notifyMentions(post.id);
    const [d1, d2] = (await t.core.notifications.emailDeliveriesOfPost(post.id)).map((d) => d.id);
    const claims = await t.core.notifications.claimEmailDeliveries([d1!, d1!, d2!, '999', 'nonsense'], 60);
    assert.deepEqual(claims.map((c) => c.kind), ['send', 'busy', 'send', 'done', 'done']);
    const [first, , second] = claims;
    assert.ok(first?.kind === 'send' && second?.kind === 'send');
    assert.deepEqual([first.email.to, second.email.to].sort(), [`${ann.username}@example.com`, `${ben.username}@example.com`]);
    assert.equal(first.email.postText, post.text);
    await t.core.notifications.markEmailsSent([first.email, second.email]);
    assert.deepEqual((await t.core.notifications.emailDeliveriesOfPost(post.id)).map((d) => d.state), ['sent', 'sent']);
    assert.deepEqual((await t.core.notifications.claimEmailDeliveries([d1!, d2!], 60)).map((c) => c.kind), ['done', 'done']);
  });

  it('lets one attempt at a time hold an email, and never hands out a sent one', async () => {
    const author = await createAccount(t.core, 'author');
    const friend = await createAccount(t.core, 'friend');
    const post = await t.core.posts.createPost(author.id, { text: `hi @${friend.username}` });
    await t.core.notifications.notifyMentions(post.id);
    const [delivery] = await t.core.notifications.emailDeliveriesOfPost(post.id);
    const [a, b] = await Promise.all([t.core.notifications.claimEmailDelivery(delivery!.id, 60), t.core.notifications.claimEmailDelivery(delivery!.id, 60)]);
    const kinds = [a.kind, b.kind].sort();
    assert.deepEqual(kinds, ['busy', 'send']);
    const winner = a.kind === 'send' ? a : b;
    assert.ok(winner.kind === 'send');
    await t.core.notifications.markEmailSent(delivery!.id, winner.email.claimToken);
    assert.equal((await t.core.notifications.claimEmailDelivery(delivery!.id, 60)).kind, 'done');
  });
});

forEachBackend(
  'mention emails held by another attempt',
  (t) => {
    it('sends an email held by a dead attempt once its lease lapses, exactly once, without failing a job', async () => {
      const author = await createAccount(t.core, 'holder');
      const friend = await createAccount(t.core, 'held');
      const post = await t.core.posts.createPost(author.id, { text: `hi @${friend.username}` });
      await t.core.notifications.notifyMentions(post.id); // the delivery and its send-email job
      const [delivery] = await t.core.notifications.emailDeliveriesOfPost(post.id);
      // An attempt that claimed the email and died: nobody else may send it for its lease (10 s, far
      // longer than the worker below takes to start, so its job finds the email held).
      assert.equal((await t.core.notifications.claimEmailDelivery(delivery!.id, 10)).kind, 'send');
      const lines: { msg?: string }[] = [];
      const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg?: string }) });
      const worker = await startWorker(t.core, { logger: log, schedules: false });
      try {
        await waitFor(async () => (await t.core.notifications.emailDeliveriesOfPost(post.id))[0]!.state === 'sent', { what: 'the held email sent' });
        await waitForQueuesDrained(t.core, ['notify-mentions', 'send-email']);
      } finally {
        await worker.stop();
      }
      assert.equal(smtp.received.filter((m) => m.messageId.startsWith(`<mention-${delivery!.id}@`)).length, 1);
      assert.ok(lines.some((l) => l.msg === 'emails held by another attempt; taken up again when its lease lapses'), 'the job saw it held');
      assert.deepEqual(lines.filter((l) => /job failed/.test(l.msg ?? '')), [], 'no job failed (so none waited out a retry backoff)');
    });
  },
  { env: { SMTP_URL: smtp.url }, core: { jobs: { superviseIntervalSeconds: 1, pollingIntervalSeconds: 0.5 } } },
);
