import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase } from '../../src/core/db/scratch-database.ts';
import { backends } from '../helpers/databases.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';
import { CookieJar, csrfToken, request } from '../helpers/web-client.ts';
import { nodeArgs, nodeEnv } from '../helpers/node-process.ts';

// `kill -9` of the server (`pipit start`, the embedded database on disk) while posts are being written,
// then a start on the same data: every post whose request got its success response (303) is there,
// the author's post count matches the posts, and the database opens, serves and shuts down cleanly.
// On PostgreSQL (with TEST_DATABASE_URL) the same, with the web process killed instead of the database.
// Nothing here is timed: the kill comes once enough posts are acknowledged, however slow the machine,
// and every wait has a generous deadline that fails the test naming what it waited for.

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
const WRITERS = 8;
/** Posts acknowledged before the kill (the writers keep going, so more are in flight when it lands). */
const ACKNOWLEDGED_BEFORE_KILL = 20;
/** Generous: a start or a request on a loaded two-core machine can take many times its usual time. */
const START_DEADLINE_MS = 120_000;
const REQUEST_DEADLINE_MS = 60_000;
const PASSWORD = 'correct horse battery staple';

interface Server {
  child: ChildProcess;
  output: () => string;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Runs `pipit start` and resolves once /readyz answers 200 (the database is open and migrated). */
async function startServer(env: Record<string, string>, cwd: string, base: string): Promise<Server> {
  const child = spawn(process.execPath, nodeArgs(MAIN, ['start']), {
    cwd, // no stray .env from the repository
    env: nodeEnv({ PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const server = { child, output: () => output.slice(-4000) };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`pipit start exited (${child.exitCode ?? child.signalCode}): ${server.output()}`);
        return fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
          (r) => r.status === 200,
          () => false,
        );
      },
      { what: `pipit start to be ready (/readyz 200) at ${base}`, timeoutMs: START_DEADLINE_MS, intervalMs: 100, describe: () => server.output() },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return server;
}

/** Every post text on a profile, following the "Older posts" links (bounded). */
async function allPostTexts(base: string, username: string): Promise<{ texts: string[]; count: number }> {
  const jar = new CookieJar();
  const texts: string[] = [];
  let path: string | undefined = `/@${username}`;
  let count = -1;
  for (let pages = 0; path && pages < 1_000; pages++) {
    const page = await request(base, jar, path);
    assert.equal(page.status, 200, path);
    if (count < 0) count = Number(/<dt>Posts<\/dt><dd>([\d,]+)<\/dd>/.exec(page.body)![1]!.replaceAll(',', ''));
    for (const m of page.body.matchAll(/<div class="post-content"[^>]*><p>([^<]*)<\/p><\/div>/g)) texts.push(m[1]!);
    path = /href="([^"]+)" rel="next">Older posts</.exec(page.body)?.[1]?.replaceAll('&amp;', '&');
  }
  return { texts, count };
}

for (const backend of backends()) {
  describe(`crash safety: kill -9 while posting (${backend.name})`, { skip: backend.skip ?? false, timeout: 600_000 }, () => {
    let dataDir: string;
    let env: Record<string, string>;
    let base: string;
    let drop: (() => Promise<void>) | undefined;
    const running: ChildProcess[] = [];

    before(async () => {
      assert.ok(existsSync(MAIN), `${MAIN} exists`);
      dataDir = await mkdtemp(join(tmpdir(), 'pipit-crash-'));
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      const scratch = backend.name === 'postgres' ? await createScratchDatabase(process.env.TEST_DATABASE_URL!, 'pipit_test') : undefined;
      drop = scratch?.drop;
      env = { DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: base, ...(scratch ? { DATABASE_URL: scratch.url } : {}) };
    });
    after(async () => {
      for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all(running.map(exited));
      await drop?.();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('keeps every acknowledged post, and the database opens cleanly afterwards', async (t) => {
      const first = await startServer(env, dataDir, base);
      running.push(first.child);

      const jar = new CookieJar();
      const form = await request(base, jar, '/auth/sign_up');
      const signUp = await request(base, jar, '/auth/sign_up', { _csrf: csrfToken(form.body), username: 'writer', email: 'writer@example.com', password: PASSWORD });
      assert.equal(signUp.status, 303, first.output());
      const token = csrfToken((await request(base, jar, '/')).body);

      // Writers post as fast as the server answers; the kill lands while requests are in flight.
      const acknowledged: string[] = [];
      const sent: string[] = [];
      let failed = 0;
      let killed = false;
      const writer = async (w: number) => {
        for (let i = 0; !killed && i < 100_000; i++) {
          const text = `crash ${w}-${i}`;
          sent.push(text);
          try {
            const res = await request(base, jar, '/statuses', { _csrf: token, status: text }, REQUEST_DEADLINE_MS);
            if (res.status === 303 && res.location === '/') acknowledged.push(text);
            else assert.fail(`unexpected answer ${res.status} while the server was up: ${res.body.slice(0, 300)}`);
          } catch (error) {
            if (!killed) throw error;
            failed += 1;
          }
        }
      };
      const writing = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      // A writer that fails while the server is up ends the wait at once, with its error.
      let writerError: unknown;
      writing.catch((error: unknown) => (writerError = error));
      await waitFor(
        () => {
          if (writerError) throw writerError;
          return acknowledged.length >= ACKNOWLEDGED_BEFORE_KILL;
        },
        { what: `${ACKNOWLEDGED_BEFORE_KILL} acknowledged posts`, timeoutMs: START_DEADLINE_MS, intervalMs: 10, describe: () => `${acknowledged.length} acknowledged` },
      );
      const ackedBeforeKill = acknowledged.length;
      first.child.kill('SIGKILL');
      killed = true;
      const { signal } = await exited(first.child);
      await writing;
      assert.equal(signal, 'SIGKILL');
      assert.ok(ackedBeforeKill >= ACKNOWLEDGED_BEFORE_KILL, `enough posts acknowledged before the kill (${ackedBeforeKill})`);
      assert.ok(failed >= 1, 'the kill landed while requests were in flight');

      // Start again on the same data: it opens (the stale lock of the dead process is taken over).
      const second = await startServer(env, dataDir, base);
      running.push(second.child);
      const { texts, count } = await allPostTexts(base, 'writer');
      const present = new Set(texts);
      const lost = acknowledged.filter((text) => !present.has(text));
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged posts lost`);
      assert.equal(texts.length, present.size, 'no post twice');
      t.diagnostic(`${acknowledged.length} acknowledged, ${texts.length} present, ${failed} requests cut by the kill`);
      const sentSet = new Set(sent);
      assert.ok(texts.every((text) => sentSet.has(text)), 'nothing that was not sent');
      assert.equal(count, texts.length, "the author's post count matches the posts (each post committed whole)");

      // The restarted server writes too, and shuts down cleanly.
      const again = new CookieJar();
      const login = await request(base, again, '/auth/sign_in');
      const signIn = await request(base, again, '/auth/sign_in', { _csrf: csrfToken(login.body), username: 'writer', password: PASSWORD });
      assert.equal(signIn.status, 303);
      const home = await request(base, again, '/');
      assert.equal((await request(base, again, '/statuses', { _csrf: csrfToken(home.body), status: 'after the crash' })).status, 303);
      assert.match((await request(base, again, '/@writer')).body, /after the crash/);
      second.child.kill('SIGTERM');
      const stopped = await exited(second.child);
      assert.equal(stopped.code, 0, `clean shutdown: ${second.output()}`);
    });
  });
}
