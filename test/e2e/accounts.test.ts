import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { createAccount, TEST_PASSWORD } from '../helpers/accounts.ts';
import { BrowserSession, inputValueIn, type Response } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';

// Sign up, log in, log out over HTTP: sessions and their cookies, CSRF, and sign-ups racing each other.

/** Every Set-Cookie header of a response, as strings. */
function setCookies(res: Response): string[] {
  const header = res.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header : [String(header)];
}

function cookieHeader(res: Response, name: string): string {
  const found = setCookies(res).find((c) => c.startsWith(`${name}=`));
  assert.ok(found, `Set-Cookie ${name} in ${JSON.stringify(setCookies(res))}`);
  return found;
}

/** Whether a page was rendered for a logged-in visitor (the log-out button) and who that is. */
function loggedInAs(body: string): string | undefined {
  if (!body.includes('action="/auth/sign_out"')) return undefined;
  return /<a href="\/@([a-z0-9_]+)" class="menu-item"[^>]*>Profile<\/a>/.exec(body)?.[1];
}

forEachBackend('website accounts', (t) => {
  let app: FastifyInstance;
  before(async () => {
    app = await buildApp(t.core);
  });
  after(() => app?.close());

  describe('sign up', () => {
    it('creates the account, redirects home and logs in', async () => {
      const browser = new BrowserSession(app);
      const form = await browser.get('/auth/sign_up');
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /<input id="field-username" name="username" type="text" value="" autocomplete="username"/);
      assert.match(form.body, /name="email" type="email" value="" autocomplete="email"/);
      assert.match(form.body, /name="password" type="password" value="" autocomplete="new-password"/);
      const res = await browser.post('/auth/sign_up', { username: 'alice', email: 'alice@example.com', password: TEST_PASSWORD });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/');
      assert.ok(browser.cookies.get('pipit_session'), 'a session cookie');
      const home = await browser.get('/');
      assert.equal(loggedInAs(home.body), 'alice');
      assert.match(home.body, /<textarea id="compose-status" name="status"/);
      assert.equal((await t.core.accounts.authenticate('alice@example.com', TEST_PASSWORD)).username, 'alice');
    });

    it('refuses a username taken in another case: 422, the message, the typed values, never the password', async () => {
      await createAccount(t.core); // something else in the table
      const first = new BrowserSession(app);
      assert.equal((await first.signUp({ username: 'dora_x' })).statusCode, 303);
      const before = await t.core.accounts.countAccounts();

      const second = new BrowserSession(app);
      await second.get('/auth/sign_up');
      const password = 'a-secret-that-must-not-echo';
      const res = await second.post('/auth/sign_up', { username: 'DORA_X', email: 'other-dora@example.com', password });
      assert.equal(res.statusCode, 422);
      assert.match(res.headers['content-type'] as string, /^text\/html/);
      assert.match(res.body, /That username is taken/);
      assert.equal(inputValueIn(res.body, 'username'), 'DORA_X');
      assert.equal(inputValueIn(res.body, 'email'), 'other-dora@example.com');
      assert.equal(inputValueIn(res.body, 'password'), '');
      assert.ok(!res.body.includes(password), 'the password is never echoed');
      assert.equal(second.cookies.get('pipit_session'), undefined, 'not logged in');
      assert.equal(await t.core.accounts.countAccounts(), before);
    });

    it('refuses a taken email address with the message on the email field', async () => {
      await new BrowserSession(app).signUp({ username: 'erin', email: 'Erin@Example.com' });
      const res = await new BrowserSession(app).signUp({ username: 'erin2', email: 'Erin@Example.com' });
      assert.equal(res.statusCode, 422);
      assert.match(res.body, /field-email-error">An account with that email address already exists/);
    });

    it('refuses a malformed email and a short password with the field message', async () => {
      const badEmail = await new BrowserSession(app).signUp({ username: 'frank', email: 'not-an-email' });
      assert.equal(badEmail.statusCode, 422);
      assert.match(badEmail.body, /id="field-email-error">Enter a valid email address/);
      assert.match(badEmail.body, /aria-invalid="true"/);
      assert.equal(inputValueIn(badEmail.body, 'username'), 'frank');

      const shortPassword = await new BrowserSession(app).signUp({ username: 'frank', password: 'short' });
      assert.equal(shortPassword.statusCode, 422);
      assert.match(shortPassword.body, /id="field-password-error">Passwords need at least 8 characters/);

      const badName = await new BrowserSession(app).signUp({ username: 'no spaces!' });
      assert.equal(badName.statusCode, 422);
      assert.match(badName.body, /id="field-username-error">Usernames may contain only/);
      await assert.rejects(t.core.accounts.getAccountByUsername('frank'));
    });

    it("shows every field's problem at once, keeping what was typed", async () => {
      const res = await new BrowserSession(app).signUp({ username: 'bad name!', email: 'not-an-email', password: 'short' });
      assert.equal(res.statusCode, 422);
      assert.match(res.body, /id="field-username-error">Usernames may contain only/);
      assert.match(res.body, /id="field-email-error">Enter a valid email address/);
      assert.match(res.body, /id="field-password-error">Passwords need at least 8 characters/);
      assert.match(res.body, /role="alert">Please fix the highlighted fields\./);
      assert.equal(inputValueIn(res.body, 'username'), 'bad name!');
      assert.equal(inputValueIn(res.body, 'email'), 'not-an-email');

      await new BrowserSession(app).signUp({ username: 'taken_both', email: 'taken-both@example.com' });
      const taken = await new BrowserSession(app).signUp({ username: 'Taken_Both', email: 'TAKEN-both@example.com', password: 'short' });
      assert.equal(taken.statusCode, 422);
      assert.match(taken.body, /id="field-username-error">That username is taken/);
      assert.match(taken.body, /id="field-email-error">An account with that email address already exists/);
      assert.match(taken.body, /id="field-password-error">Passwords need at least 8 characters/);
    });

    it('lets two simultaneous sign-ups with one username end as one account and one "taken", never a 500', async () => {
      for (const name of ['race_a', 'race_b', 'race_c']) {
        const browsers = [new BrowserSession(app), new BrowserSession(app)];
        for (const b of browsers) await b.get('/auth/sign_up');
        const results = await Promise.all(
          browsers.map((b, i) => b.post('/auth/sign_up', { username: name, email: `${name}-${i}@example.com`, password: TEST_PASSWORD })),
        );
        const statuses = results.map((r) => r.statusCode).sort();
        assert.deepEqual(statuses, [303, 422], `statuses for ${name}`);
        const refused = results.find((r) => r.statusCode === 422)!;
        assert.match(refused.body, /That username is taken/);
        const winner = browsers[results.findIndex((r) => r.statusCode === 303)]!;
        assert.equal(loggedInAs((await winner.get('/')).body), name);
      }
    });
  });

  describe('log in and log out', () => {
    it('logs in by username (any case) and by email', async () => {
      const account = await createAccount(t.core, 'gina');
      const byName = new BrowserSession(app);
      const res = await byName.signIn(account.username.toUpperCase());
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/');
      assert.equal(loggedInAs((await byName.get('/')).body), account.username);

      const byEmail = new BrowserSession(app);
      assert.equal((await byEmail.signIn(`${account.username}@Example.com`)).statusCode, 303);
      assert.equal(loggedInAs((await byEmail.get('/')).body), account.username);
    });

    it('refuses a wrong password with a 401 page that keeps the login but not the password', async () => {
      const account = await createAccount(t.core, 'hank');
      const browser = new BrowserSession(app);
      const res = await browser.signIn(account.username, 'wrong password here');
      assert.equal(res.statusCode, 401);
      assert.match(res.body, /role="alert">That username or email and password do not match/);
      assert.equal(inputValueIn(res.body, 'username'), account.username);
      assert.ok(!res.body.includes('wrong password here'));
      assert.equal(browser.cookies.get('pipit_session'), undefined);
      const unknown = await new BrowserSession(app).signIn('nobody_here');
      assert.equal(unknown.statusCode, 401);
    });

    it('goes back to a local return_to after logging in, and never to another site', async () => {
      const account = await createAccount(t.core, 'ivy');
      const browser = new BrowserSession(app);
      const form = await browser.get('/auth/sign_in?return_to=%2Ftags%2Fnews');
      assert.match(form.body, /name="return_to" value="\/tags\/news"/);
      const res = await browser.post('/auth/sign_in', { username: account.username, password: TEST_PASSWORD, return_to: '/tags/news' });
      assert.equal(res.headers.location, '/tags/news');
      const evil = new BrowserSession(app);
      await evil.get('/auth/sign_in');
      const away = await evil.post('/auth/sign_in', { username: account.username, password: TEST_PASSWORD, return_to: '//evil.example/' });
      assert.equal(away.headers.location, '/');
    });

    it('gives a new session id at every login, and the old one stops working', async () => {
      const account = await createAccount(t.core, 'jack');
      const browser = new BrowserSession(app);
      await browser.signIn(account.username);
      const first = browser.cookies.get('pipit_session')!;
      // Already logged in: the sign-in page redirects, so log in again by POST, with a token of this
      // session (the one from before the first login was rotated away).
      await browser.get('/');
      await browser.post('/auth/sign_in', { username: account.username, password: 'correct horse battery staple' });
      const second = browser.cookies.get('pipit_session')!;
      assert.ok(first && second);
      assert.notEqual(second, first);
      const stale = await app.inject({ url: '/', cookies: { pipit_session: first } });
      assert.equal(loggedInAs(stale.body), undefined, 'the replaced session ended');
      const fresh = await app.inject({ url: '/', cookies: { pipit_session: second } });
      assert.equal(loggedInAs(fresh.body), account.username);
    });

    it('ends the session server-side at logout: the old cookie no longer works', async () => {
      const account = await createAccount(t.core, 'kate');
      const browser = new BrowserSession(app);
      await browser.signIn(account.username);
      const token = browser.cookies.get('pipit_session')!;
      const res = await browser.logOut();
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/');
      assert.match(cookieHeader(res, 'pipit_session'), /^pipit_session=;.*(Expires=Thu, 01 Jan 1970|Max-Age=0)/);
      assert.equal(browser.cookies.get('pipit_session'), undefined);
      assert.equal(loggedInAs((await browser.get('/')).body), undefined);
      // A copy of the cookie kept by an attacker is worthless now.
      const replay = new BrowserSession(app);
      replay.cookies.set('pipit_session', token);
      assert.equal(loggedInAs((await replay.get('/')).body), undefined);
      assert.equal(await t.core.sessions.resolveSession(token), undefined);
      await replay.get('/auth/sign_in'); // a valid CSRF token, so only the session decides
      const write = await replay.post('/statuses', { status: 'from a dead session' });
      assert.equal(write.statusCode, 303);
      assert.match(write.headers.location as string, /^\/auth\/sign_in/);
      assert.equal((await t.core.accounts.getAccount(account.id)).statusesCount, 0);
    });

    it('sets the session and CSRF cookies HttpOnly and SameSite=Lax, without Secure over http', async () => {
      const account = await createAccount(t.core, 'liam');
      const browser = new BrowserSession(app);
      const form = await browser.get('/auth/sign_in');
      const csrfCookie = cookieHeader(form, 'pipit_csrf');
      assert.match(csrfCookie, /; HttpOnly/);
      assert.match(csrfCookie, /; SameSite=Lax/);
      assert.match(csrfCookie, /; Path=\//);
      const res = await browser.post('/auth/sign_in', { username: account.username, password: TEST_PASSWORD });
      const session = cookieHeader(res, 'pipit_session');
      assert.match(session, /; HttpOnly/);
      assert.match(session, /; SameSite=Lax/);
      assert.match(session, /; Path=\//);
      assert.doesNotMatch(session, /; Secure/);
      // 256 bits of randomness, base64url.
      assert.match(browser.cookies.get('pipit_session')!, /^[A-Za-z0-9_-]{43}$/);
    });
  });

  describe('CSRF', () => {
    it('refuses a sign-up without a token or with a wrong one, with a friendly 403 page, and saves nothing', async () => {
      const browser = new BrowserSession(app);
      await browser.get('/auth/sign_up');
      const fields = { username: 'mallory', email: 'mallory@example.com', password: TEST_PASSWORD };
      for (const csrf of ['none', 'wrong-token', `${browser.csrfToken!.slice(0, -2)}xx`]) {
        const res = await browser.post('/auth/sign_up', fields, { csrf });
        assert.equal(res.statusCode, 403, `csrf ${csrf}`);
        assert.match(res.body, /This form has expired/);
        assert.match(res.body, /Request id: <code>/);
      }
      await assert.rejects(t.core.accounts.getAccountByUsername('mallory'));
    });

    it('refuses a token that belongs to another browser', async () => {
      const victim = new BrowserSession(app);
      await victim.signUp({ username: 'nora' });
      const attacker = new BrowserSession(app);
      await attacker.get('/auth/sign_in');
      // The attacker's own valid token, submitted with the victim's cookies (a cross-site form post).
      const res = await victim.post('/statuses', { status: 'forged' }, { csrf: attacker.csrfToken! });
      assert.equal(res.statusCode, 403);
      const nora = await t.core.accounts.getAccountByUsername('nora');
      assert.equal(nora.statusesCount, 0);
    });

    it('refuses a post or a log-out without a token, and keeps the session', async () => {
      const browser = new BrowserSession(app);
      await browser.signUp({ username: 'olga' });
      const post = await browser.post('/statuses', { status: 'no token' }, { csrf: 'none' });
      assert.equal(post.statusCode, 403);
      assert.match(post.body, /This form has expired/);
      const out = await browser.post('/auth/sign_out', {}, { csrf: 'none' });
      assert.equal(out.statusCode, 403);
      assert.equal(loggedInAs((await browser.get('/')).body), 'olga', 'still logged in');
      assert.equal((await t.core.accounts.getAccountByUsername('olga')).statusesCount, 0);
    });
  });
});

forEachBackend(
  'website under https',
  (t) => {
    let app: FastifyInstance;
    before(async () => {
      app = await buildApp(t.core);
    });
    after(() => app?.close());

    it('names the cookies __Host-… and marks them Secure, HttpOnly and SameSite=Lax', async () => {
      const browser = new BrowserSession(app);
      const form = await browser.get('/auth/sign_up');
      const csrf = cookieHeader(form, '__Host-pipit_csrf');
      assert.match(csrf, /; Secure/);
      assert.match(csrf, /; Path=\//);
      assert.doesNotMatch(csrf, /; Domain=/i, '__Host- cookies have no Domain');
      const res = await browser.post('/auth/sign_up', { username: 'secure_sam', email: 'sam@example.com', password: TEST_PASSWORD });
      assert.equal(res.statusCode, 303);
      const session = cookieHeader(res, '__Host-pipit_session');
      for (const attribute of ['; Secure', '; HttpOnly', '; SameSite=Lax', '; Path=/']) assert.ok(session.includes(attribute), `${attribute} in ${session}`);
      assert.doesNotMatch(session, /; Domain=/i);
      assert.ok(!setCookies(res).some((c) => c.startsWith('pipit_session=')), 'no unprefixed cookie');
      assert.equal(loggedInAs((await browser.get('/')).body), 'secure_sam');
      assert.match(res.headers['strict-transport-security'] as string, /max-age=\d+/);
    });
  },
  { env: { PUBLIC_URL: 'https://pipit.example' } },
);

forEachBackend('website rate limits', (t) => {
  let app: FastifyInstance;
  before(async () => {
    app = await buildApp(t.core);
  });
  after(() => app?.close());

  /** A 429 that shows the form again, keeps what was typed and says in plain words when to retry. */
  function assertFriendly429(res: Response, maxSeconds: number, kept: Record<string, string>) {
    assert.equal(res.statusCode, 429);
    assert.match(res.headers['content-type'] as string, /^text\/html/);
    assert.match(res.body, /role="alert">[^<]*You can try again in (\d+ (seconds|minutes)|about (an|\d+) hours?)\. What you typed is still here\./);
    const retryAfter = Number(res.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= maxSeconds, `Retry-After ${res.headers['retry-after']}`);
    for (const [name, value] of Object.entries(kept)) assert.equal(inputValueIn(res.body, name), value, `${name} kept`);
    assert.equal(inputValueIn(res.body, 'password'), '', 'never the password');
    assert.ok(csrfTokenInPage(res.body), 'the form can be sent again');
  }
  const csrfTokenInPage = (body: string) => /name="_csrf" value="[^"]+"/.test(body);

  it('allows 5 sign-ups per IP in 30 minutes; the 6th gets a 429 form that keeps the input, and creates nothing', async () => {
    const ip = '192.0.2.10';
    for (let i = 1; i <= 5; i++) {
      const res = await new BrowserSession(app, { ip }).signUp({ username: `many_${i}` });
      assert.equal(res.statusCode, 303, `sign-up ${i}`);
    }
    const sixth = await new BrowserSession(app, { ip }).signUp({ username: 'many_6' });
    assertFriendly429(sixth, 30 * 60, { username: 'many_6', email: 'many_6@example.com' });
    assert.match(sixth.body, /You can try again in (30|29) minutes/);
    await assert.rejects(t.core.accounts.getAccountByUsername('many_6'));
    // Another address is not affected.
    assert.equal((await new BrowserSession(app, { ip: '192.0.2.11' }).signUp({ username: 'many_7' })).statusCode, 303);
  });

  it('does not count failed sign-ups against the limit: a newcomer fixing mistakes is never locked out', async () => {
    const browser = new BrowserSession(app, { ip: '192.0.2.12' });
    await browser.get('/auth/sign_up');
    for (let i = 1; i <= 10; i++) {
      const res = await browser.post('/auth/sign_up', { username: 'new comer', email: 'newcomer@example', password: 'short' });
      assert.equal(res.statusCode, 422, `attempt ${i}`);
    }
    const res = await browser.post('/auth/sign_up', { username: 'newcomer', email: 'newcomer@example.com', password: TEST_PASSWORD });
    assert.equal(res.statusCode, 303);
    assert.equal(loggedInAs((await browser.get('/')).body), 'newcomer');
  });

  it('allows 25 log-in attempts per IP in 5 minutes, then a 429 form that keeps the username, even with the right password', async () => {
    const account = await createAccount(t.core, 'target');
    const browser = new BrowserSession(app, { ip: '192.0.2.20' });
    await browser.get('/auth/sign_in');
    for (let i = 1; i <= 25; i++) {
      const res = await browser.post('/auth/sign_in', { username: `guess_${i}`, password: 'wrong password' });
      assert.equal(res.statusCode, 401, `attempt ${i}`);
    }
    const blocked = await browser.post('/auth/sign_in', { username: account.username, password: TEST_PASSWORD });
    assertFriendly429(blocked, 5 * 60, { username: account.username });
    assert.equal(browser.cookies.get('pipit_session'), undefined);
  });

  it('cannot be used to lock anyone out: after 25 wrong passwords on the admin account, its owner still logs in from another client', async () => {
    const admin = await createAccount(t.core, 'admin');
    await t.core.accounts.setAdmin(admin.username, true);
    // The attacker spreads the guesses over 5-minute windows' worth of addresses, as it would to dodge the per-IP limit.
    const attacker = ['198.51.100.1', '198.51.100.2'];
    for (let i = 0; i < 30; i++) {
      const res = await new BrowserSession(app, { ip: attacker[i % 2]! }).signIn(admin.username, `guess ${i}`);
      assert.ok(res.statusCode === 401 || res.statusCode === 429, `attempt ${i}: ${res.statusCode}`);
    }
    // The attacker's own addresses are stopped, even with the right password…
    assertFriendly429(await new BrowserSession(app, { ip: attacker[0]! }).signIn(admin.username.toUpperCase()), 60 * 60, { username: admin.username.toUpperCase() });
    // …and the owner, from a client that never failed, gets in.
    const owner = new BrowserSession(app, { ip: '203.0.113.77' });
    const res = await owner.signIn(`${admin.username}@example.com`);
    assert.equal(res.statusCode, 303);
    assert.equal(loggedInAs((await owner.get('/')).body), admin.username);
  });

  it('bounds guessing from many addresses: once an account is under attack, each new address gets 5 tries', async () => {
    const account = await createAccount(t.core, 'spread');
    for (let i = 0; i < 25; i++) {
      assert.equal((await new BrowserSession(app).signIn(account.username, `guess ${i}`)).statusCode, 401, `attempt ${i}`);
    }
    const fresh = new BrowserSession(app);
    for (let i = 0; i < 5; i++) assert.equal((await fresh.signIn(account.username, `more ${i}`)).statusCode, 401, `try ${i}`);
    assert.equal((await fresh.signIn(account.username, 'one more')).statusCode, 429);
  });
});
