import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RateLimited, clientSubject } from '../../src/core/index.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { domainError } from '../helpers/errors.ts';
import { waitFor } from '../helpers/wait.ts';

let rules = 0;
/** A rule of its own for each test, so counts never carry over. */
const rule = (limit: number, windowSeconds = 60) => ({ name: `test-${++rules}`, limit, windowSeconds });

forEachBackend('rate limits', (t) => {
  it('counts down the remaining hits, then throws RateLimited with a retry time within the window', async () => {
    const r = rule(3, 60);
    const remaining = [];
    for (let i = 0; i < 3; i++) remaining.push((await t.core.rateLimits.consumeRateLimit(r, '10.0.0.1')).remaining);
    assert.deepEqual(remaining, [2, 1, 0]);
    const error = await t.core.rateLimits.consumeRateLimit(r, '10.0.0.1').catch((e: unknown) => e);
    domainError(RateLimited)(error);
    const retry = (error as RateLimited).retryAfterSeconds;
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `retryAfterSeconds ${retry}`);
  });

  it('reports the limit and when the window resets', async () => {
    const state = await t.core.rateLimits.consumeRateLimit(rule(5, 120), 'x');
    assert.equal(state.limit, 5);
    const seconds = (state.resetAt.getTime() - Date.now()) / 1000;
    assert.ok(seconds > 100 && seconds <= 121, `resets in ${seconds}s`);
  });

  it('keeps throwing while over the limit', async () => {
    const r = rule(1);
    await t.core.rateLimits.consumeRateLimit(r, 'a');
    await assert.rejects(t.core.rateLimits.consumeRateLimit(r, 'a'), domainError(RateLimited));
    await assert.rejects(t.core.rateLimits.consumeRateLimit(r, 'a'), domainError(RateLimited));
  });

  it('counts each subject apart, ignoring case', async () => {
    const r = rule(1);
    await t.core.rateLimits.consumeRateLimit(r, 'Alice');
    await assert.rejects(t.core.rateLimits.consumeRateLimit(r, 'alice'), domainError(RateLimited));
    await assert.doesNotReject(t.core.rateLimits.consumeRateLimit(r, 'bob'));
  });

  it('counts each rule apart for the same subject', async () => {
    const a = rule(1);
    const b = rule(1);
    await t.core.rateLimits.consumeRateLimit(a, 'same');
    await assert.doesNotReject(t.core.rateLimits.consumeRateLimit(b, 'same'));
  });

  it('lets no more than the limit through when hits arrive together', async () => {
    const r = rule(5);
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => t.core.rateLimits.consumeRateLimit(r, 'burst')));
    assert.equal(results.filter((x) => x.status === 'fulfilled').length, 5);
    for (const x of results.filter((y) => y.status === 'rejected')) domainError(RateLimited)(x.reason);
  });

  it('starts a fresh window once the old one ends, and cleans up ended windows', async () => {
    // The window is counted by the database clock, so this waits for real until the end it was told
    // (resetAt), not for a guessed time; two seconds leave the refusal inside the window on a busy machine.
    const r = rule(1, 2);
    const first = await t.core.rateLimits.consumeRateLimit(r, 'later');
    await assert.rejects(t.core.rateLimits.consumeRateLimit(r, 'later'), domainError(RateLimited));
    await waitFor(() => Date.now() > first.resetAt.getTime(), { what: `the first window to end at ${first.resetAt.toISOString()}`, intervalMs: 50 });
    const fresh = await t.core.rateLimits.consumeRateLimit(r, 'later');
    assert.equal(fresh.remaining, 0);
    await waitFor(() => Date.now() > fresh.resetAt.getTime(), { what: `the second window to end at ${fresh.resetAt.toISOString()}`, intervalMs: 50 });
    assert.ok((await t.core.rateLimits.deleteExpiredRateLimits()) >= 1);
  });

  it('peeks without counting, records without refusing, and gives a hit back', async () => {
    const r = rule(2);
    assert.equal(await t.core.rateLimits.peekRateLimit(r, 'p'), 0);
    await t.core.rateLimits.consumeRateLimit(r, 'p');
    await t.core.rateLimits.consumeRateLimit(r, 'p');
    assert.equal(await t.core.rateLimits.peekRateLimit(r, 'p'), 2);
    await t.core.rateLimits.refundRateLimit(r, 'p');
    assert.equal(await t.core.rateLimits.peekRateLimit(r, 'p'), 1);
    await assert.doesNotReject(t.core.rateLimits.consumeRateLimit(r, 'p'), 'the refunded hit is free again');
    assert.equal(await t.core.rateLimits.recordRateLimitHit(r, 'p'), 3);
    assert.equal(await t.core.rateLimits.recordRateLimitHit(r, 'p'), 4, 'no RateLimited from recording');
  });

  it('counts an IPv6 client by its /64, and an IPv4-mapped one as IPv4', () => {
    assert.equal(clientSubject('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(clientSubject('2001:0db8:0001:0002::ffff'), '2001:db8:1:2::/64');
    assert.equal(clientSubject('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientSubject('::1'), '0:0:0:0::/64');
    assert.equal(clientSubject('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(clientSubject('192.0.2.1'), '192.0.2.1');
  });

  it('limits sign-ups to 5 per IP per 30 minutes', async () => {
    const { signUpPerIp } = t.core.rateLimits.rules;
    assert.equal(signUpPerIp.windowSeconds, 30 * 60);
    for (let i = 0; i < 5; i++) await t.core.rateLimits.consumeRateLimit(signUpPerIp, '192.0.2.7');
    await assert.rejects(t.core.rateLimits.consumeRateLimit(signUpPerIp, '192.0.2.7'), domainError(RateLimited));
  });
});
