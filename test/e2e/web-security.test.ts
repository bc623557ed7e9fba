import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { buildApp } from '../../src/web/app.ts';
import type { Core } from '../../src/core/index.ts';
import { createAccount, TEST_PASSWORD } from '../helpers/accounts.ts';
import { BrowserSession, LogCapture } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait.ts';

// CSRF tokens bound to the session, requests from other sites refused, return_to kept on this site,
// secret path parameters out of the logs, and /metrics kept to this machine without a token.

const PUBLIC = 'http://localhost:3000';

/** Whether a page was rendered for a logged-in visitor (the log-out button). */
const loggedIn = (body: string) => body.includes('action="/auth/sign_out"');

forEachBackend(
  'web security',
  (t) => {
    let app: FastifyInstance;
    const logs = new LogCapture();
    before(async () => {
      app = await buildApp(t.core, { logStream: logs });
    });
    after(() => app?.close());

    describe('CSRF tokens belong to one session', () => {
      it('refuses a token made in session A when sent in session B, with the same CSRF cookie', async () => {
        const alice = await createAccount(t.core, 'csrf_a');
        const bob = await createAccount(t.core, 'csrf_b');
        const browser = new BrowserSession(app);
        assert.equal((await browser.signIn(alice.username)).statusCode, 303);
        await browser.get('/');
        const tokenOfA = browser.csrfToken!;
        // Same browser, same CSRF secret cookie, but now session B (a cookie swapped in, as a fixation would).
        browser.cookies.set('pipit_session', await t.core.sessions.createSession(bob.id));
        const res = await browser.post('/statuses', { status: 'written with the token of another session' }, { csrf: tokenOfA });
        assert.equal(res.statusCode, 403);
        assert.match(res.body, /This form has expired/);
        assert.equal((await t.core.accounts.getAccount(bob.id)).statusesCount, 0);
        // B's own token works.
        await browser.get('/');
        assert.equal((await browser.post('/statuses', { status: 'by B, properly' })).statusCode, 303);
      });

      it('rotates at login: a token from before logging in is refused after it', async () => {
        const account = await createAccount(t.core, 'csrf_rot');
        const browser = new BrowserSession(app);
        await browser.get('/auth/sign_in');
        const before = browser.csrfToken!;
        const csrfCookieBefore = browser.cookies.get('pipit_csrf');
        const login = await browser.post('/auth/sign_in', { username: account.username, password: TEST_PASSWORD });
        assert.equal(login.statusCode, 303);
        const res = await browser.post('/statuses', { status: 'with the pre-login token' }, { csrf: before });
        assert.equal(res.statusCode, 403);
        await browser.get('/');
        assert.notEqual(browser.cookies.get('pipit_csrf'), csrfCookieBefore, 'a new CSRF secret after login');
        assert.equal((await browser.post('/statuses', { status: 'with a fresh token' })).statusCode, 303);
      });

      it('still protects logged-out forms: sign-in needs a token of its own', async () => {
        const account = await createAccount(t.core, 'csrf_out');
        const browser = new BrowserSession(app);
        await browser.get('/auth/sign_in');
        const res = await browser.post('/auth/sign_in', { username: account.username, password: TEST_PASSWORD }, { csrf: 'none' });
        assert.equal(res.statusCode, 403);
        assert.equal(browser.cookies.get('pipit_session'), undefined);
      });
    });

    describe('requests from other sites', () => {
      const crossSite: Record<string, string>[] = [
        { origin: 'https://evil.example' },
        { origin: 'null', 'sec-fetch-site': 'cross-site' },
        { origin: 'http://localhost:3000.evil.example' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
        { 'sec-fetch-site': 'cross-site', origin: PUBLIC },
      ];

      it('refuses a cross-site Origin or Sec-Fetch-Site with a clear 403 page, even with a valid token', async () => {
        const browser = new BrowserSession(app);
        await browser.signUp({ username: 'xsite_victim' });
        await browser.get('/');
        for (const headers of crossSite) {
          const res = await browser.post('/statuses', { status: 'forged from elsewhere' }, { headers });
          assert.equal(res.statusCode, 403, JSON.stringify(headers));
          assert.match(res.body, /This form was sent from another website, so it was refused/);
          assert.match(res.body, /open http:\/\/localhost:3000 and use the form there/);
          assert.match(res.body, /Request id: <code>/);
        }
        const out = await browser.post('/auth/sign_out', {}, { headers: { origin: 'https://evil.example' } });
        assert.equal(out.statusCode, 403);
        assert.ok(loggedIn((await browser.get('/')).body), 'still logged in');
        assert.equal((await t.core.accounts.getAccountByUsername('xsite_victim')).statusesCount, 0);
      });

      it('accepts the same origin (PUBLIC_URL or the Host), Sec-Fetch-Site same-origin or none, and old clients that send neither', async () => {
        const browser = new BrowserSession(app);
        await browser.signUp({ username: 'xsite_ok' });
        const ok: Record<string, string>[] = [
          { origin: PUBLIC, 'sec-fetch-site': 'same-origin' },
          { origin: 'http://localhost' }, // the Host inject() sends (localhost:80)
          { 'sec-fetch-site': 'none' },
        // What Chromium sends for our own forms under Referrer-Policy: no-referrer.
        { origin: 'null', 'sec-fetch-site': 'same-origin' },
          {},
        ];
        for (const headers of ok) {
          await browser.get('/');
          const res = await browser.post('/statuses', { status: `same site ${JSON.stringify(headers)}` }, { headers });
          assert.equal(res.statusCode, 303, JSON.stringify(headers));
        }
        assert.equal((await t.core.accounts.getAccountByUsername('xsite_ok')).statusesCount, ok.length);
        // Without Origin, the token still decides.
        const noToken = await browser.post('/statuses', { status: 'no token, no origin' }, { csrf: 'none' });
        assert.equal(noToken.statusCode, 403);
      });

      it('lets mail providers post one-click unsubscribes from anywhere (the link is the credential)', async () => {
        const account = await createAccount(t.core, 'xsite_unsub');
        const path = new URL(await t.core.notifications.unsubscribeUrl(account.id)).pathname;
        const res = await app.inject({
          method: 'POST',
          url: path,
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.example', 'sec-fetch-site': 'cross-site' },
          payload: 'List-Unsubscribe=One-Click',
        });
        assert.equal(res.statusCode, 200);
        assert.equal((await t.core.notifications.getNotificationSettings(account.id)).emailNotifications, false);
      });

      it('lets forms submit only to this site (CSP form-action)', async () => {
        const res = await app.inject({ url: '/auth/sign_in' });
        const csp = String(res.headers['content-security-policy']);
        assert.match(csp, /(^|;)\s*form-action 'self'(;|$)/);
      });
    });

    describe('return_to', () => {
      it('encodes non-ASCII and control characters in the redirect instead of failing with a 500', async () => {
        const account = await createAccount(t.core, 'ret');
        for (const [given, expected] of [
          ['/%E4%B8%AD', '/%E4%B8%AD'],
          ['/a%00b', '/a%00b'],
          ['/%7F', '/%7F'],
          ['/%00', '/'], // the URL parser drops trailing control characters: what is left is the home page
          ['/tags/%C3%B1u', '/tags/%C3%B1u'],
        ]) {
          const browser = new BrowserSession(app);
          const form = await browser.get(`/auth/sign_in?return_to=${encodeURIComponent(decodeURIComponent(given!))}`);
          assert.equal(form.statusCode, 200, given);
          const res = await browser.post('/auth/sign_in', { username: account.username, password: TEST_PASSWORD, return_to: decodeURIComponent(given!) });
          assert.equal(res.statusCode, 303, given);
          assert.equal(res.headers.location, expected);
          assert.ok(loggedIn((await browser.get('/')).body));
          // Already logged in: the sign-in page redirects the same way.
          const again = await browser.get(`/auth/sign_in?return_to=${encodeURIComponent(decodeURIComponent(given!))}`);
          assert.equal(again.statusCode, 303);
          assert.equal(again.headers.location, expected);
        }
      });

      it('never answers 500 and never leaves the site, whatever return_to holds (property)', async () => {
        const account = await createAccount(t.core, 'ret_fc');
        const base = new URL(PUBLIC);
        const piece = fc.oneof(
          fc.string({ unit: 'binary', maxLength: 12 }),
          fc.constantFrom('/', '//', '\\', '/\\', '%2F', '%5C', ':', '@', '?', '#', '..', '.', 'http:', 'javascript:', 'evil.example', '\t', '\n', '\u0000', '\u007f', '中', '%E4%B8%AD', '%'),
        );
        const returnTo = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
        const browser = new BrowserSession(app);
        await browser.signIn(account.username);
        await fc.assert(
          fc.asyncProperty(returnTo, async (value) => {
            // Logged in, GET redirects at once (the 500 of the finding); logged out, the POST does.
            const get = await browser.request({ method: 'GET', url: `/auth/sign_in?return_to=${encodeURIComponent(value)}` });
            for (const res of [get]) {
              assert.equal(res.statusCode, 303, `return_to ${JSON.stringify(value)}: ${res.statusCode}`);
              const location = String(res.headers.location);
              assert.match(location, /^\/(?![/\\])[\x21-\x7e]*$/, `Location ${JSON.stringify(location)}`);
              assert.equal(new URL(location, base).origin, base.origin);
            }
          }),
          { numRuns: 200 },
        );
        // The POST runs a password check per try: fewer, from fresh browsers (per-client limits).
        await fc.assert(
          fc.asyncProperty(returnTo, async (value) => {
            const fresh = new BrowserSession(app);
            await fresh.get('/auth/sign_in');
            const res = await fresh.post('/auth/sign_in', { username: account.username, password: TEST_PASSWORD, return_to: value });
            assert.equal(res.statusCode, 303, `return_to ${JSON.stringify(value)}: ${res.statusCode}`);
            const location = String(res.headers.location);
            assert.match(location, /^\/(?![/\\])[\x21-\x7e]*$/, `Location ${JSON.stringify(location)}`);
            assert.equal(new URL(location, base).origin, base.origin);
          }),
          { numRuns: 40 },
        );
      });
    });

    describe('logs', () => {
      it('never writes an unsubscribe token (or any secret path parameter) to the request log', async () => {
        const account = await createAccount(t.core, 'unsub_log');
        const url = await t.core.notifications.unsubscribeUrl(account.id);
        const path = new URL(url).pathname;
        const token = path.split('/').pop()!;
        const before = logs.lines.length;
        const shown = await app.inject({ url: path });
        const done = await app.inject({ method: 'POST', url: `${path}?from=mail`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
        const bad = await app.inject({ url: `${path}x` }); // a token of the wrong shape: 4xx, still not logged
        assert.equal(shown.statusCode, 200);
        assert.equal(done.statusCode, 200);
        assert.ok(bad.statusCode >= 400 && bad.statusCode < 500);
        const urls = () => logs.records().slice(before).filter((r) => r.msg === 'request completed').map((r) => r.url);
        // The line is written as the response ends, which may be just after inject() resolves.
        await waitFor(() => urls().length >= 3, { what: 'the three request lines', timeoutMs: 10_000 });
        assert.deepEqual(urls(), ['/unsubscribe/[redacted]', '/unsubscribe/[redacted]?from=mail', '/unsubscribe/[redacted]']);
        const text = logs.lines.slice(before).join('\n');
        for (const form of [token, token.split('.')[1]!]) assert.ok(!text.includes(form), `the token in the log: ${text}`);
      });
    });

    describe('metrics without METRICS_TOKEN', () => {
      it('are served to this machine only, not to the network nor through a proxy, unless METRICS_OPEN', async () => {
        const local = await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' });
        assert.equal(local.statusCode, 200);
        assert.match(local.body, /pipit_http_request_duration_seconds/);
        assert.equal((await app.inject({ url: '/metrics', remoteAddress: '::1' })).statusCode, 200);
        for (const request of [{ remoteAddress: '192.168.1.50' }, { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9' } }]) {
          const res = await app.inject({ url: '/metrics', ...request });
          assert.equal(res.statusCode, 403, JSON.stringify(request));
          assert.match(res.body, /only to this machine/);
          assert.match(res.body, /METRICS_TOKEN/);
          assert.doesNotMatch(res.body, /pipit_/);
        }
        const opened = await buildApp({ ...t.core, config: Object.freeze({ ...t.core.config, metricsOpen: true }) } as Core, { logStream: new LogCapture() });
        try {
          assert.equal((await opened.inject({ url: '/metrics', remoteAddress: '192.168.1.50' })).statusCode, 200);
        } finally {
          await opened.close();
        }
      });
    });
  },
  { env: { LOG_LEVEL: 'info' } },
);
