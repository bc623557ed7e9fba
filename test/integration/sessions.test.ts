import assert from 'node:assert/strict';
import { afterEach, it, mock } from 'node:test';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

forEachBackend('sessions', (t) => {
  // Expiry is judged by the process clock, so moving Date forward stands in for waiting.
  const travel = (ms: number) => mock.timers.enable({ apis: ['Date'], now: Date.now() + ms });
  afterEach(() => mock.timers.reset());

  it('creates a 256-bit URL-safe token that resolves to its account', async () => {
    const account = await createAccount(t.core);
    const token = await t.core.sessions.createSession(account.id, { userAgent: 'test-agent', ip: '127.0.0.1' });
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    const resolved = await t.core.sessions.resolveSession(token);
    assert.equal(resolved?.id, account.id);
    assert.equal(resolved?.username, account.username);
  });

  it('gives every session its own token', async () => {
    const account = await createAccount(t.core);
    const a = await t.core.sessions.createSession(account.id);
    const b = await t.core.sessions.createSession(account.id);
    assert.notEqual(a, b);
  });

  it('returns undefined for unknown, malformed and empty tokens', async () => {
    assert.equal(await t.core.sessions.resolveSession('A'.repeat(43)), undefined);
    assert.equal(await t.core.sessions.resolveSession('not a token'), undefined);
    assert.equal(await t.core.sessions.resolveSession(''), undefined);
  });

  it('ends one session without touching the others', async () => {
    const account = await createAccount(t.core);
    const ended = await t.core.sessions.createSession(account.id);
    const kept = await t.core.sessions.createSession(account.id);
    await t.core.sessions.endSession(ended);
    assert.equal(await t.core.sessions.resolveSession(ended), undefined);
    assert.equal((await t.core.sessions.resolveSession(kept))?.id, account.id);
  });

  it('ignores ending an unknown token', async () => {
    await assert.doesNotReject(t.core.sessions.endSession('B'.repeat(43)));
  });

  it('is still valid after 29 days without use', async () => {
    const account = await createAccount(t.core);
    const token = await t.core.sessions.createSession(account.id);
    travel(29 * DAY);
    assert.equal((await t.core.sessions.resolveSession(token))?.id, account.id);
  });

  it('expires after 30 days without use', async () => {
    const account = await createAccount(t.core);
    const token = await t.core.sessions.createSession(account.id);
    travel(30 * DAY + MINUTE);
    assert.equal(await t.core.sessions.resolveSession(token), undefined);
  });

  it('extends a session that is used', async () => {
    const account = await createAccount(t.core);
    const token = await t.core.sessions.createSession(account.id);
    travel(10 * MINUTE);
    assert.equal((await t.core.sessions.resolveSession(token))?.id, account.id);
    mock.timers.reset();
    // Past the first expiry, but within 30 days of the use above.
    travel(30 * DAY + 5 * MINUTE);
    assert.equal((await t.core.sessions.resolveSession(token))?.id, account.id);
  });

  it('deleteExpiredSessions removes expired sessions only', async () => {
    const account = await createAccount(t.core);
    const token = await t.core.sessions.createSession(account.id);
    assert.equal(await t.core.sessions.deleteExpiredSessions(), 0);
    travel(31 * DAY);
    assert.ok((await t.core.sessions.deleteExpiredSessions()) >= 1);
    mock.timers.reset();
    assert.equal(await t.core.sessions.resolveSession(token), undefined, 'gone even at the real time');
  });

  it('resetPassword ends every session of the account, and only of that account', async () => {
    const account = await createAccount(t.core);
    const other = await createAccount(t.core);
    const token = await t.core.sessions.createSession(account.id);
    const otherToken = await t.core.sessions.createSession(other.id);
    await t.core.accounts.resetPassword(account.username, 'another good password');
    assert.equal(await t.core.sessions.resolveSession(token), undefined);
    assert.equal((await t.core.sessions.resolveSession(otherToken))?.id, other.id);
  });
});
