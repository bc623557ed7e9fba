import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { BrowserSession, LogCapture } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';

// What every response carries (security headers, request ids), what the logs say and never say,
// bodies too large or of the wrong kind, unexpected errors, and the health endpoints.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

forEachBackend(
  'website over HTTP',
  (t) => {
    let app: FastifyInstance;
    const logs = new LogCapture();
    before(async () => {
      // A route of the website that fails the way a bug would.
      const boom = (scope: FastifyInstance) =>
        scope.get('/test/boom', async () => {
          throw new TypeError('kaboom: secret internals');
        });
      app = await buildApp(t.core, { logStream: logs, extraRoutes: { html: boom } });
      await app.ready();
    });
    after(() => app?.close());

    describe('security headers', () => {
      it('sends a CSP without inline script, nosniff and frame-ancestors none, on pages and error pages', async () => {
        for (const url of ['/', '/auth/sign_in', '/no/such/page', '/test/boom']) {
          const res = await app.inject({ url });
          const csp = res.headers['content-security-policy'] as string;
          assert.ok(csp, `CSP on ${url}`);
          const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
          assert.deepEqual(directives.get('script-src'), ["'self'"], url);
          assert.deepEqual(directives.get('default-src'), ["'self'"], url);
          assert.deepEqual(directives.get('frame-ancestors'), ["'none'"], url);
          assert.deepEqual(directives.get('object-src'), ["'none'"], url);
          assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, url);
          assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
          assert.ok(res.headers['referrer-policy'], url);
        }
      });

      it('keeps shared caches from storing pages, and serves the stylesheet', async () => {
        const page = await app.inject({ url: '/' });
        assert.equal(page.headers['cache-control'], 'private, no-cache');
        const css = await app.inject({ url: '/assets/style.css' });
        assert.equal(css.statusCode, 200);
        assert.match(css.headers['content-type'] as string, /^text\/css/);
        assert.match(css.headers['cache-control'] as string, /max-age=86400/);
      });

      it('has no inline script or style in a page (the CSP would block them)', async () => {
        const browser = new BrowserSession(app);
        await browser.signUp({ username: 'headers_h' });
        for (const url of ['/', '/@headers_h', '/auth/sign_up', '/about']) {
          const res = await new BrowserSession(app).get(url);
          assert.doesNotMatch(res.body, /<script\b|<style\b| style="| on[a-z]+="/i, url);
        }
        assert.doesNotMatch((await browser.get('/')).body, /<script\b|<style\b| style="| on[a-z]+="/i);
      });
    });

    describe('request ids', () => {
      it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
        const given = await app.inject({ url: '/', headers: { 'x-request-id': 'lb-7f3a:42.x_y@z' } });
        assert.equal(given.headers['x-request-id'], 'lb-7f3a:42.x_y@z');
        for (const bad of ['has spaces', 'x'.repeat(129), '<script>', 'a\tb', 'ünïcode']) {
          const res = await app.inject({ url: '/', headers: { 'x-request-id': bad } });
          assert.match(res.headers['x-request-id'] as string, UUID, JSON.stringify(bad));
        }
        const none = await app.inject({ url: '/' });
        const another = await app.inject({ url: '/' });
        assert.match(none.headers['x-request-id'] as string, UUID);
        assert.notEqual(none.headers['x-request-id'], another.headers['x-request-id']);
      });

      it('sends the request id on error pages too, and shows it there', async () => {
        const res = await app.inject({ url: '/@nobody_here', headers: { 'x-request-id': 'shown-404' } });
        assert.equal(res.statusCode, 404);
        assert.equal(res.headers['x-request-id'], 'shown-404');
        assert.match(res.body, /Request id: <code>shown-404<\/code>/);
      });
    });

    describe('logging', () => {
      it('writes one JSON line per request with reqId, method, route, status and duration', async () => {
        await new BrowserSession(app).signUp({ username: 'logged_l' });
        await app.inject({ url: '/@logged_l', headers: { 'x-request-id': 'one-line-1' } });
        const lines = logs.requestLines('one-line-1');
        assert.equal(lines.length, 1, JSON.stringify(logs.records().filter((r) => r.reqId === 'one-line-1')));
        const line = lines[0]!;
        assert.equal(line.method, 'GET');
        assert.equal(line.route, '/@:username');
        assert.equal(line.url, '/@logged_l');
        assert.equal(line.status, 200);
        assert.equal(line.level, 30);
        assert.equal(typeof line.durationMs, 'number');
        assert.ok((line.durationMs as number) >= 0 && (line.durationMs as number) < 60_000);
        assert.equal(typeof line.time, 'number');

        await app.inject({ url: '/nothing/here', headers: { 'x-request-id': 'one-line-2' } });
        const notFound = logs.requestLines('one-line-2');
        assert.equal(notFound.length, 1);
        assert.equal(notFound[0]!.status, 404);
        // Every line is JSON (records() would have thrown otherwise) and every request line has an id.
        assert.ok(logs.records().filter((r) => r.msg === 'request completed').every((r) => typeof r.reqId === 'string' && r.reqId !== ''));
      });

      it('a request the router refuses before any scope (a malformed address, an over-long parameter) gets its one line too', async () => {
        await app.inject({ url: '/@%zz', headers: { 'x-request-id': 'bad-url-1' } });
        await app.inject({ url: `/api/v1/statuses/${'1'.repeat(300)}`, headers: { 'x-request-id': 'long-param-1' } });
        assert.deepEqual(
          ['bad-url-1', 'long-param-1'].map((id) => logs.requestLines(id).map((r) => r.status)),
          [[400], [404]],
        );
      });

      it('logs an expected error at info without a stack', async () => {
        const browser = new BrowserSession(app);
        await browser.signUp({ username: 'expected_e' });
        await browser.get('/');
        await browser.request({ method: 'GET', url: `/?max_id=${'9'.repeat(19)}`, headers: { 'x-request-id': 'expected-422' } });
        await app.inject({ url: '/@expected_e/1', headers: { 'x-request-id': 'expected-404' } });
        const lines = logs.records().filter((r) => r.reqId === 'expected-404' || r.reqId === 'expected-422');
        assert.deepEqual(lines.filter((r) => r.msg === 'request completed').map((r) => r.status).sort(), [404, 422]);
        for (const line of lines) {
          assert.ok((line.level as number) <= 30, JSON.stringify(line));
          assert.ok(!JSON.stringify(line).includes('"stack"'), JSON.stringify(line));
        }
      });

      it('never logs a password, a session cookie or a CSRF token', async () => {
        const password = 'Unmistakable-Passw0rd-for-logs';
        const browser = new BrowserSession(app);
        const before = logs.lines.length;
        assert.equal((await browser.signUp({ username: 'secretive', password })).statusCode, 303);
        await browser.postStatus('a post while being logged');
        await browser.logOut();
        assert.equal((await browser.signIn('secretive', password)).statusCode, 303);
        await browser.signIn('secretive', `${password}-wrong`);
        // Secrets where they do not belong: in the query string and in headers.
        await browser.get(`/?_csrf=${browser.csrfToken}&password=${password}`);
        await browser.request({ method: 'GET', url: '/', headers: { 'x-csrf-token': browser.csrfToken!, authorization: `Bearer ${password}` } });
        await browser.post('/statuses', { status: 'forged', password }, { csrf: 'wrong-token' });
        await browser.logOut();

        const text = logs.lines.slice(before).join('\n');
        assert.ok(text.includes('"url":"/?_csrf=[redacted]&password=[redacted]"'), 'the URL was logged, scrubbed');
        assert.ok(browser.secretsSeen.size >= 4, `cookies and tokens seen: ${browser.secretsSeen.size}`);
        assert.ok(!text.includes(password), 'password in the logs');
        for (const secret of browser.secretsSeen) {
          for (const form of new Set([secret, encodeURIComponent(secret), ...secret.split('.').filter((part) => part.length >= 16)])) {
            assert.ok(!text.includes(form), `a cookie value or CSRF token in the logs: ${form.slice(0, 6)}…`);
          }
        }
      });
    });

    describe('bad input', () => {
      it('answers a body over 256 KiB with a 413 page, and saves nothing', async () => {
        const browser = new BrowserSession(app);
        await browser.signUp({ username: 'big_body' });
        await browser.get('/');
        const huge = await browser.post('/statuses', { status: 'x'.repeat(300 * 1024) });
        assert.equal(huge.statusCode, 413);
        assert.match(huge.headers['content-type'] as string, /^text\/html/);
        assert.match(huge.body, /larger than this server accepts/);
        const signUp = await new BrowserSession(app).post('/auth/sign_up', { username: 'x', email: 'x@example.com', password: 'p'.repeat(257 * 1024) }, { csrf: 'none' });
        assert.equal(signUp.statusCode, 413);
        // Just under the limit, the request is read and refused for what it says instead.
        const large = await browser.post('/statuses', { status: 'x'.repeat(200 * 1024) });
        assert.equal(large.statusCode, 303, 'refused, and back to the form (post/redirect/get)');
        assert.match((await browser.get('/')).body, /id="compose-error" role="alert">Posts have at most/);
        assert.equal((await t.core.accounts.getAccountByUsername('big_body')).statusesCount, 0);
      });

      it('refuses a body of a kind the site does not take with a 4xx page', async () => {
        const res = await app.inject({ method: 'POST', url: '/statuses', headers: { 'content-type': 'application/xml' }, payload: '<status>hi</status>' });
        assert.equal(res.statusCode, 415);
        assert.match(res.body, /Unsupported format/);
        const badJson = await app.inject({ method: 'POST', url: '/auth/sign_in', headers: { 'content-type': 'application/json' }, payload: '{"username":' });
        assert.ok(badJson.statusCode >= 400 && badJson.statusCode < 500, String(badJson.statusCode));
      });

      it('answers NUL and other control characters in any field or address without a 500', async () => {
        const browser = new BrowserSession(app);
        const signUp = await browser.signUp({ username: 'ctl\u0000chars', email: 'ctl\u0007@example.com' });
        assert.equal(signUp.statusCode, 303, 'control characters are dropped, as everywhere');
        assert.equal((await browser.postStatus('NUL\u0000 and bell\u0007 #ctl\u0000tag')).statusCode, 303);
        assert.match((await browser.get('/@ctlchars')).body, /NUL and bell/);
        const stranger = new BrowserSession(app);
        for (const login of ['ctlchars\u0000', 'ctl\u0000@example.com', '\u0000']) {
          const res = await stranger.signIn(login, 'wrong\u0000password');
          assert.equal(res.statusCode, 401, JSON.stringify(login));
        }
        for (const [url, status] of [['/tags/ctl%00tag', 200], ['/@ctl%00chars', 200], ['/@nobody%00x', 404], ['/@ctlchars/1%00', 404], ['/?max_id=1%00', 400]] as const) {
          assert.equal((await stranger.get(url)).statusCode, status, url);
        }
      });

      it('bounds repeated and nested form fields', async () => {
        const browser = new BrowserSession(app);
        await browser.signUp({ username: 'nested_n' });
        await browser.get('/');
        const repeated = await browser.request({
          method: 'POST',
          url: '/statuses',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: `_csrf=${encodeURIComponent(browser.csrfToken!)}&status=first&status=second`,
        });
        assert.equal(repeated.statusCode, 303);
        const nested = await browser.request({
          method: 'POST',
          url: '/statuses',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: `_csrf=${encodeURIComponent(browser.csrfToken!)}&status[a][b][c][d][e][f][g]=deep`,
        });
        assert.equal(nested.statusCode, 303, 'refused, and back to the form (post/redirect/get)');
        assert.match((await browser.get('/')).body, /Write something before posting/);
      });
    });

    describe('unexpected errors', () => {
      it('shows a 500 page with the request id, hides the details, and logs at error with the stack', async () => {
        const res = await app.inject({ url: '/test/boom', headers: { 'x-request-id': 'boom-1' } });
        assert.equal(res.statusCode, 500);
        assert.match(res.headers['content-type'] as string, /^text\/html/);
        assert.match(res.body, /Something went wrong/);
        assert.match(res.body, /Request id: <code>boom-1<\/code>/);
        assert.ok(!res.body.includes('kaboom'), 'no internals on the page');
        const errorLines = logs.records().filter((r) => r.reqId === 'boom-1' && r.level === 50);
        assert.equal(errorLines.length, 1);
        const err = errorLines[0]!.err as { type: string; message: string; stack: string };
        assert.equal(err.type, 'TypeError');
        assert.match(err.stack, /kaboom: secret internals\n\s+at /);
        assert.equal(logs.requestLines('boom-1')[0]?.status, 500);
      });
    });

    describe('health', () => {
      it('answers /livez and /readyz', async () => {
        const live = await app.inject({ url: '/livez' });
        assert.equal(live.statusCode, 200);
        assert.deepEqual(live.json(), { status: 'UP' });
        const ready = await app.inject({ url: '/readyz' });
        assert.equal(ready.statusCode, 200);
        assert.deepEqual(ready.json(), { status: 'UP' });
      });

      it('reports not ready while shutting down, still live', async () => {
        const stopping = await buildApp(t.core, { isShuttingDown: () => true, logStream: new LogCapture() });
        try {
          const ready = await stopping.inject({ url: '/readyz' });
          assert.equal(ready.statusCode, 503);
          assert.deepEqual(ready.json(), { status: 'DOWN', reason: 'shutting down' });
          assert.equal((await stopping.inject({ url: '/livez' })).statusCode, 200);
        } finally {
          await stopping.close();
        }
      });
    });
  },
  { env: { LOG_LEVEL: 'trace' } },
);
