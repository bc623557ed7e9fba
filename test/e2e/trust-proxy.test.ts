import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import type { Core } from '../../src/core/index.ts';
import { BrowserSession } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';

// Behind a reverse proxy the client's address comes from X-Forwarded-For, but only the hops the proxy
// added count: what the client wrote itself (the leftmost entries) must not move it out of its own
// rate-limit bucket.

const PROXY = '127.0.0.1';
const CLIENT = '203.0.113.50';

/** Six sign-ups that a proxy forwards for one client, each with a different forged leftmost entry. */
async function signUpsThroughProxy(app: FastifyInstance, prefix: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 1; i <= 6; i++) {
    const browser = new BrowserSession(app, { ip: PROXY });
    const headers = { 'x-forwarded-for': `198.51.100.${i}, ${CLIENT}` };
    await browser.get('/auth/sign_up', headers);
    const username = `${prefix}_${i}`;
    const res = await browser.post('/auth/sign_up', { username, email: `${username}@example.com`, password: 'correct horse battery staple' }, { headers });
    statuses.push(res.statusCode);
  }
  return statuses;
}

forEachBackend(
  'TRUST_PROXY',
  (t) => {
    let app: FastifyInstance;
    before(async () => {
      app = await buildApp(t.core);
      app.get('/test/ip', async (request) => ({ ip: request.ip }));
      await app.ready();
    });
    after(() => app?.close());

    it('with one hop, takes the address the proxy saw: a forged leftmost X-Forwarded-For changes nothing', async () => {
      const seen = await app.inject({ url: '/test/ip', remoteAddress: PROXY, headers: { 'x-forwarded-for': `1.2.3.4, ${CLIENT}` } });
      assert.equal(seen.json().ip, CLIENT);
      // The per-IP sign-up limit (5 per 30 minutes) holds for that client whatever it forges.
      assert.deepEqual(await signUpsThroughProxy(app, 'hop'), [303, 303, 303, 303, 303, 429]);
    });

    it('with the proxy addresses, trusts hops only from them', async () => {
      const config = Object.freeze({ ...t.core.config, trustProxy: Object.freeze(['127.0.0.1', '10.0.0.0/8']) });
      const listed = await buildApp({ ...t.core, config } as Core);
      listed.get('/test/ip', async (request) => ({ ip: request.ip }));
      try {
        const ip = async (remoteAddress: string, forwarded: string) =>
          (await listed.inject({ url: '/test/ip', remoteAddress, headers: { 'x-forwarded-for': forwarded } })).json().ip;
        assert.equal(await ip(PROXY, `1.2.3.4, ${CLIENT}`), CLIENT);
        assert.equal(await ip(PROXY, `1.2.3.4, ${CLIENT}, 10.1.2.3`), CLIENT, 'through two listed proxies');
        assert.equal(await ip('192.0.2.99', `1.2.3.4, ${CLIENT}`), '192.0.2.99', 'a client connecting directly is itself');
      } finally {
        await listed.close();
      }
    });
  },
  { env: { TRUST_PROXY: '1' } },
);
