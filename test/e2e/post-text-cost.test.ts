import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { BrowserSession } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';

// Issue 7: posts of ~20,000 characters shaped to make twitter-text's URL patterns backtrack held the one
// event loop for 2–8 s each, so /livez, every page and the worker waited. Here /livez is asked over a
// real socket again and again while such posts are submitted; none of its answers may be slow.

const NASTY = [
  'http://' + 'a.'.repeat(9996),
  'a-'.repeat(9998) + '.com',
  'www.'.repeat(5000),
  'https://a.com/' + '(a)'.repeat(6662),
  'https://a.com/x '.repeat(1250),
  '#a '.repeat(6666),
];
// Generous for a loaded 2-core machine; before the fix the slowest answer took seconds.
const LIVEZ_BOUND_MS = 1000;

forEachBackend('post text cost', (t) => {
  let app: FastifyInstance;
  let base: string;
  let alice: BrowserSession;
  before(async () => {
    app = await buildApp(t.core);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    base = address;
    alice = new BrowserSession(app);
    assert.equal((await alice.signUp({ username: 'alice' })).statusCode, 303);
    await alice.get('/');
  });
  after(() => app?.close());

  it('keeps /livez fast while hostile post shapes are submitted, and refuses each with its reason', async (test) => {
    const livez = async () => {
      const start = performance.now();
      const res = await fetch(`${base}/livez`);
      await res.text();
      assert.equal(res.status, 200);
      return performance.now() - start;
    };
    await livez(); // the connection and the route warmed up
    // One post after the other, as one client would: a probe then waits for at most one post's ordinary
    // work (the in-memory database answers without yielding to the network), while before the fix a
    // single one of these held the loop for seconds.
    let submitting = true;
    const submissions = (async () => {
      const responses = [];
      for (const text of NASTY) {
        // A refused post comes back to the form (post/redirect/get): the message shows on the page it leads to.
        const res = await alice.post('/statuses', { status: text });
        responses.push({ res, page: res.statusCode === 303 ? await alice.get(String(res.headers.location)) : res });
      }
      return responses;
    })().finally(() => (submitting = false));
    const latencies: number[] = [];
    // Ask while any post is in flight, and once more after, so a blocked loop cannot go unseen.
    do latencies.push(await livez());
    while (submitting);
    latencies.push(await livez());
    const responses = await submissions;
    const slowest = Math.max(...latencies);
    test.diagnostic(`slowest /livez of ${latencies.length}: ${Math.round(slowest)} ms`);
    assert.ok(slowest < LIVEZ_BOUND_MS, `/livez took ${Math.round(slowest)} ms while posts were parsed (${latencies.length} probes)`);
    responses.forEach(({ res, page }, i) => {
      assert.ok(res.statusCode === 303 || res.statusCode === 422, `post ${i} refused: ${res.statusCode} ${res.body.slice(0, 200)}`);
      assert.match(page.body, /id="compose-error"/, `post ${i}: the form says why`);
    });
    assert.match(responses[0]!.page.body, /Posts have at most 500 characters; this one has 19999\./);
    assert.match(responses[3]!.page.body, /Links have at most 4096 characters/);
    assert.equal((await t.core.posts.publicTimeline({ limit: 40 })).length, 0, 'nothing was posted');
  });
});
