import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase } from '../../src/core/db/scratch-database.ts';
import { backends } from '../helpers/databases.ts';
import { spawnPipit, waitUntilReady, type PipitProcess } from '../helpers/pipit-process.ts';
import { freePort } from '../helpers/ports.ts';
import { request, signUp } from '../helpers/web-client.ts';

// SIGTERM during a burst of posts, with a load balancer's view: a poller that watches /readyz and,
// once it says DOWN, stops sending new requests (as a balancer takes the process out of rotation).
// No request may fail — those in flight are answered, none is refused before readiness said so —
// and the process exits 0 after its running jobs finished.

const WRITERS = 6;

for (const backend of backends()) {
  describe(`graceful shutdown during a burst (${backend.name})`, { skip: backend.skip ?? false, timeout: 360_000 }, () => {
    let dataDir: string;
    let env: Record<string, string>;
    let base: string;
    let drop: (() => Promise<void>) | undefined;
    let server: PipitProcess | undefined;

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'pipit-shutdown-'));
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      const scratch = backend.name === 'postgres' ? await createScratchDatabase(process.env.TEST_DATABASE_URL!, 'pipit_test') : undefined;
      drop = scratch?.drop;
      // The drain outlasts the poller's interval many times over, even on a loaded machine.
      env = { DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: base, SHUTDOWN_DRAIN_SECONDS: '3', LOG_LEVEL: 'info', ...(scratch ? { DATABASE_URL: scratch.url } : {}) };
    });
    after(async () => {
      if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server?.exited();
      await drop?.();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('answers every request sent before readiness turned down, then exits 0', async () => {
      server = spawnPipit(['start'], env, dataDir);
      await waitUntilReady(server, `${base}/readyz`);
      const { jar, token } = await signUp(base, 'writer');
      const reader = await signUp(base, 'reader');

      let outOfRotation = false;
      const failures: string[] = [];
      let answered = 0;
      const balancer = (async () => {
        while (!outOfRotation) {
          const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) }).catch((e: Error) => e);
          if (res instanceof Error) failures.push(`readyz: ${res.message}`);
          if (res instanceof Error || res.status === 503) outOfRotation = true;
          else await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const writer = async (w: number) => {
        for (let i = 0; !outOfRotation; i++) {
          const [path, form, who] = i % 2 ? ['/', undefined, reader.jar] : ['/statuses', { _csrf: token, status: `burst @reader ${w}-${i}` }, jar];
          try {
            const res = await request(base, who, path, form);
            if (res.status !== (form ? 303 : 200)) failures.push(`${path}: ${res.status} ${res.body.slice(0, 200)}`);
            else answered += 1;
          } catch (error) {
            failures.push(`${path}: ${(error as Error).message}`);
          }
        }
      };
      const writing = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      const deadline = Date.now() + 60_000;
      while (answered < 30 && failures.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(failures, [], 'no failure before the signal');
      server.child.kill('SIGTERM');
      await Promise.all([balancer, writing]);
      const { code } = await server.exited();

      assert.deepEqual(failures, [], `every request answered (${answered} answered)`);
      assert.equal(code, 0, server.output());
      const stopped = server.lines().filter((l) => l.includes('"msg":"Stopped"')).map((l) => JSON.parse(l).service);
      assert.deepEqual(stopped, ['web', 'worker'], 'the web stopped first, then the worker finished its jobs');
    });
  });
}
