import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase } from '../../src/core/db/scratch-database.ts';
import { POSTGRES_SKIP_REASON } from '../helpers/databases.ts';
import { spawnPipit, waitUntilReady, type PipitProcess } from '../helpers/pipit-process.ts';
import { waitFor } from '../helpers/wait.ts';
import { freePort } from '../helpers/ports.ts';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { CookieJar, request, signUp } from '../helpers/web-client.ts';

// PostgreSQL goes away under a running `pipit start` (a TCP proxy in front of the test server is
// cut; the server itself is never stopped): pages answer 503 at once instead of hanging, readiness
// says why, the log says so once rather than at every request or job poll, the process survives —
// and when the database returns, everything works again without a restart and nothing that was
// acknowledged before is lost (the posts, and the mention emails, the worker's too).

const serverUrl = process.env.TEST_DATABASE_URL;

describe('database outage (postgres)', { skip: serverUrl ? false : POSTGRES_SKIP_REASON, timeout: 360_000 }, () => {
  let dataDir: string;
  let env: Record<string, string>;
  let base: string;
  let drop: (() => Promise<void>) | undefined;
  let proxy: TcpProxy;
  let smtp: TestSmtp;
  let server: PipitProcess | undefined;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pipit-outage-'));
    const scratch = await createScratchDatabase(serverUrl!, 'pipit_test');
    drop = scratch.drop;
    const target = new URL(scratch.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(scratch.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    smtp = await startTestSmtp();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = { DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: base, DATABASE_URL: viaProxy.toString(), SMTP_URL: smtp.url, LOG_LEVEL: 'info', SHUTDOWN_DRAIN_SECONDS: '0', SMTP_TIMEOUT_SECONDS: '5' };
  });
  after(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server?.exited();
    await proxy?.close();
    await smtp?.close();
    await drop?.();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 503 fast while the database is gone, logs it once, and recovers by itself', async () => {
    server = spawnPipit(['start'], env, dataDir);
    await waitUntilReady(server, `${base}/readyz`);
    const author = await signUp(base, 'author');
    await signUp(base, 'reader');
    assert.equal((await request(base, author.jar, '/statuses', { _csrf: author.token, status: 'before the outage' })).status, 303);

    // Cut, right after a mention was posted (its email may be on either side of the outage).
    assert.equal((await request(base, author.jar, '/statuses', { _csrf: author.token, status: 'hello @reader' })).status, 303);
    await proxy.cut();
    const logLinesBefore = server.lines().length;

    const anonymous = new CookieJar();
    for (let i = 0; i < 10; i++) {
      const page = await request(base, anonymous, '/', undefined, 10_000);
      assert.equal(page.status, 503, page.body.slice(0, 300));
      assert.match(page.body, /cannot reach its database/);
      assert.ok(page.ms < 5_000, `the 503 came in ${page.ms} ms`);
      const post = await request(base, author.jar, '/statuses', { _csrf: author.token, status: `during ${i}` }, 10_000);
      assert.equal(post.status, 503, 'a post during the outage is refused, not acknowledged');
    }
    const readyz = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(readyz.status, 503);
    assert.deepEqual(await readyz.json(), { status: 'DOWN', reason: 'database unreachable' });
    assert.equal((await fetch(`${base}/livez`)).status, 200, 'the process is alive');

    // The job queue notices too (its polls fail); by then the web has answered several 503s.
    const logged = () => server!.lines().slice(logLinesBefore).map((l) => JSON.parse(l) as { msg: string; level: number });
    await waitFor(() => logged().some((l) => /job queue/.test(l.msg)), { what: 'the job queue to report the outage', timeoutMs: 30_000 });
    const during = logged();
    const webReports = during.filter((l) => l.msg === 'database unreachable: answering 503');
    assert.equal(webReports.length, 1, `the web said it once: ${JSON.stringify(webReports)}`);
    const queueReports = during.filter((l) => /job queue/.test(l.msg));
    assert.ok(queueReports.length <= 2, `the job queue said it once (per source), not at every poll: ${JSON.stringify(queueReports).slice(0, 2000)}`);
    const stacks = during.filter((l) => l.level >= 50 && !webReports.includes(l as never) && !queueReports.includes(l as never));
    assert.deepEqual(stacks, [], 'no other error lines');
    assert.equal(server.child.exitCode, null, 'still running');

    await proxy.restore();
    await waitFor(async () => (await fetch(`${base}/readyz`).then((r) => r.status)) === 200, { what: 'readiness back without a restart', timeoutMs: 30_000 });
    const home = await request(base, author.jar, '/');
    assert.equal(home.status, 200);
    const profile = await request(base, anonymous, '/@author');
    assert.match(profile.body, /before the outage/);
    assert.match(profile.body, /hello/);
    assert.doesNotMatch(profile.body, /during \d/);
    // The worker is back too: a mention made now is mailed, as is the one from before the outage.
    assert.equal((await request(base, author.jar, '/statuses', { _csrf: author.token, status: 'after the outage @reader' })).status, 303);
    // An email caught mid-send by the cut waits for its claim's lease (with SMTP_TIMEOUT_SECONDS=5: 25 s)
    // before another attempt may take it, so exactly-once holds; the deadline allows for that and the retry backoff.
    await smtp.waitFor(() => smtp.received.filter((m) => m.to[0] === 'reader@example.com').length === 2, 180_000, 'both mention emails');

    server.child.kill('SIGTERM');
    assert.equal((await server.exited()).code, 0, server.output());
  });
});
