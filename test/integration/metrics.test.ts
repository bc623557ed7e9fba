import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { loadConfig, metricsAccess, type Account } from '../../src/core/index.ts';
import { buildApp } from '../../src/web/app.ts';
import { startMetricsServer } from '../../src/worker/metrics-server.ts';
import { startWorker } from '../../src/worker/worker.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { startTestSmtp } from '../helpers/smtp.ts';
import { waitFor } from '../helpers/wait.ts';

// Prometheus metrics: what /metrics shows after real requests, posts, jobs and emails, and who may read it.

/** The value of one sample in exposition text (`name{labels} value`), 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const present = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(m[3]);
  }
  return 0;
}

const TOKEN = 'metrics-token-for-the-tests-0123';
const smtp = await startTestSmtp();
after(() => smtp.close());

forEachBackend(
  'metrics',
  (t) => {
    let app: FastifyInstance;
    let author: Account;
    let reader: Account;
    const scrape = async () => {
      const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
      return res.body;
    };
    before(async () => {
      app = await buildApp(t.core);
      author = await createAccount(t.core, 'm_author');
      reader = await createAccount(t.core, 'm_reader');
    });
    after(() => app?.close());

    it('asks for the token: none or a wrong one is a 401 that says what to send', async () => {
      for (const authorization of [undefined, 'Bearer wrong-token-wrong-token', `Basic ${TOKEN}`]) {
        const res = await app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
        assert.equal(res.statusCode, 401);
        assert.equal(res.headers['www-authenticate'], 'Bearer realm="metrics"');
        assert.match(res.body, /METRICS_TOKEN/);
        assert.doesNotMatch(res.body, /pipit_/);
      }
    });

    it('times requests by route pattern, never by raw URL or username', async () => {
      const before = sample(await scrape(), 'pipit_http_request_duration_seconds_count', { route: '/@:username', status: '200' });
      assert.equal((await app.inject({ url: `/@${author.username}` })).statusCode, 200);
      assert.equal((await app.inject({ url: '/no/such/page' })).statusCode, 404);
      const text = await scrape();
      assert.equal(sample(text, 'pipit_http_request_duration_seconds_count', { route: '/@:username', method: 'GET', status: '200' }) - before, 1);
      assert.ok(sample(text, 'pipit_http_request_duration_seconds_count', { route: 'unmatched', status: '404' }) >= 1);
      assert.doesNotMatch(text, new RegExp(author.username), 'no username in any label');
      assert.doesNotMatch(text, /no\/such\/page/);
      assert.ok(sample(text, 'pipit_nodejs_eventloop_lag_p99_seconds') >= 0 && /pipit_nodejs_heap_size_used_bytes \d/.test(text), 'process metrics');
    });

    it('counts posts, and shows what waits in each queue and for how long', async () => {
      const before = await scrape();
      await t.core.posts.createPost(author.id, { text: `hello @${reader.username}` });
      // No worker runs: the job waits, and the gauge shows it once it has waited a second.
      const text = await waitFor(async () => {
        const text = await scrape();
        return sample(text, 'pipit_queue_oldest_waiting_seconds', { queue: 'notify-mentions' }) >= 1 && text;
      }, { what: 'the notify-mentions job shown waiting for a second' });
      assert.equal(sample(text, 'pipit_posts_created_total') - sample(before, 'pipit_posts_created_total'), 1);
      const waiting = (await t.core.jobs.overview()).find((q) => q.queue === 'notify-mentions')!.waiting;
      assert.ok(waiting >= 1);
      assert.equal(sample(text, 'pipit_queue_jobs', { queue: 'notify-mentions', state: 'waiting' }), waiting);
      assert.ok(sample(text, 'pipit_queue_oldest_waiting_seconds', { queue: 'notify-mentions' }) >= 1, 'no worker runs: the job has waited a second');
      assert.equal(sample(text, 'pipit_queue_jobs', { queue: 'send-email', state: 'dead_letter' }), 0);
    });

    it('counts jobs and emails in the worker, and the worker serves them on its own listener', async () => {
      const before = await scrape();
      const worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      const listener = await startMetricsServer(t.core, 0, '127.0.0.1');
      try {
        const sent = () => smtp.received.filter((m) => m.to.includes(`${reader.username}@example.com`)).length;
        await smtp.waitFor(() => sent() >= 1, 30_000, 'the mention email');
        // The job completes just after the server's answer is recorded: wait for that, then look.
        const completed = (text: string) => sample(text, 'pipit_jobs_completed_total', { queue: 'send-email' }) - sample(before, 'pipit_jobs_completed_total', { queue: 'send-email' });
        const text = await waitFor(async () => {
          const text = await scrape();
          return completed(text) >= 1 && text;
        }, { what: 'the send-email job counted completed' });
        assert.equal(sent(), 1);
        assert.equal(sample(text, 'pipit_emails_sent_total') - sample(before, 'pipit_emails_sent_total'), 1);
        assert.ok(sample(text, 'pipit_jobs_completed_total', { queue: 'notify-mentions' }) - sample(before, 'pipit_jobs_completed_total', { queue: 'notify-mentions' }) >= 1);
        assert.equal(completed(text), 1);
        assert.ok(sample(text, 'pipit_job_duration_seconds_count', { queue: 'send-email' }) >= 1);

        const url = `http://127.0.0.1:${listener.port}`;
        const denied = await fetch(`${url}/metrics`);
        assert.equal(denied.status, 401);
        const own = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
        assert.equal(own.status, 200);
        assert.ok(sample(await own.text(), 'pipit_emails_sent_total') >= 1);
        assert.equal((await fetch(`${url}/`)).status, 404);
      } finally {
        await listener.close();
        await worker.stop();
      }
    });
  },
  { env: { METRICS_TOKEN: TOKEN, SMTP_URL: smtp.url } },
);

describe('who may read the metrics', () => {
  const config = (env: Record<string, string>) => loadConfig({ SECRET_KEY: 'k'.repeat(40), PUBLIC_URL: 'https://pipit.example', ...env }, { dotenvPath: null });
  const from = (ip: string, authorization?: string, forwarded = false) => ({ ip, authorization, forwarded });
  it('without a token: this machine only in development, anyone when opened, no one in production', () => {
    const dev = config({ NODE_ENV: 'development' });
    assert.equal(metricsAccess(dev, from('127.0.0.1')), 'allowed');
    assert.equal(metricsAccess(dev, from('::1')), 'allowed');
    assert.equal(metricsAccess(dev, from('::ffff:127.0.0.1')), 'allowed');
    assert.equal(metricsAccess(dev, from('192.168.1.20')), 'local-only');
    assert.equal(metricsAccess(dev, from('::ffff:10.0.0.1')), 'local-only');
    assert.equal(metricsAccess(dev, from('127.0.0.1', undefined, true)), 'local-only', 'through a proxy is not local');
    assert.equal(metricsAccess(config({ NODE_ENV: 'development', METRICS_OPEN: 'true' }), from('192.168.1.20')), 'allowed');
    assert.equal(metricsAccess(config({ NODE_ENV: 'production' }), from('127.0.0.1')), 'disabled');
    assert.equal(metricsAccess(config({ NODE_ENV: 'production' }), from('127.0.0.1', `Bearer ${TOKEN}`)), 'disabled');
    assert.equal(metricsAccess(config({ NODE_ENV: 'production', METRICS_OPEN: 'true' }), from('192.168.1.20')), 'allowed');
  });
  it('with a token: its bearer, from anywhere; nobody else, not even this machine', () => {
    const withToken = config({ NODE_ENV: 'production', METRICS_TOKEN: TOKEN });
    assert.equal(metricsAccess(withToken, from('192.168.1.20', `Bearer ${TOKEN}`)), 'allowed');
    assert.equal(metricsAccess(withToken, from('192.168.1.20', `bearer  ${TOKEN}`)), 'allowed');
    assert.equal(metricsAccess(withToken, from('192.168.1.20', `Bearer ${TOKEN}x`)), 'unauthorized');
    assert.equal(metricsAccess(withToken, from('127.0.0.1')), 'unauthorized');
  });
  it('refuses a short token at start, without echoing it', () => {
    assert.throws(() => config({ METRICS_TOKEN: 'short-secret' }), (e: Error) => /^METRICS_TOKEN: must be at least 16/.test(e.message) && !e.message.includes('short-secret'));
  });
});
