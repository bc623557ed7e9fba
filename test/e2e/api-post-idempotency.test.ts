import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { buildApp } from '../../src/web/app.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { apiUser, call, type ApiUser } from '../helpers/api-user.ts';
import { registerApp } from '../helpers/oauth.ts';

// `Idempotency-Key` on POST /api/v1/statuses (mastodon-api.md §6): a repeat answers the first Status,
// also when the two requests race; and a property over whatever a client may send: never a 5xx, and
// nothing another account owns changes.

type Json = Record<string, any>;

forEachBackend('API posting: idempotency and arbitrary parameters', (t) => {
  let app: FastifyInstance;
  let alice: ApiUser;
  let bob: ApiUser;
  before(async () => {
    app = await buildApp(t.core);
    const client = await registerApp(app);
    alice = await apiUser(app, t.core, { client, prefix: 'idem' });
    bob = await apiUser(app, t.core, { client, prefix: 'other' });
  }, { timeout: 60_000 });
  after(async () => {
    await app?.close();
  });

  const countOf = async (id: string) => (await t.core.accounts.getAccount(id)).statusesCount;
  const postWithKey = (key: string, status: string, token = alice.token) => call(app, 'POST', '/api/v1/statuses', { token, payload: { status }, headers: { 'idempotency-key': key } });

  it('the same key twice: the first Status again, one post', async () => {
    const before = await countOf(alice.id);
    const first = await postWithKey('key-1', 'once');
    assert.equal(first.statusCode, 200, first.body);
    const second = await postWithKey('key-1', 'a different text, same key');
    assert.equal(second.statusCode, 200, second.body);
    assert.equal(second.json().id, first.json().id);
    assert.equal(second.json().content, first.json().content);
    assert.equal(await countOf(alice.id), before + 1);
    const other = await postWithKey('key-2', 'another key');
    assert.notEqual(other.json().id, first.json().id);
    assert.equal(await countOf(alice.id), before + 2);
  });

  it('keys are per account: another account with the same key makes its own post', async () => {
    const a = await postWithKey('shared-key', 'alice');
    const b = await postWithKey('shared-key', 'bob', bob.token);
    assert.equal(b.statusCode, 200);
    assert.notEqual(a.json().id, b.json().id);
    assert.equal(b.json().account.id, bob.id);
  });

  it('racing requests with one key make one post', async () => {
    const before = await countOf(alice.id);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => postWithKey('race-key', `race ${i}`)));
    for (const res of answers) assert.equal(res.statusCode, 200, res.body);
    assert.equal(new Set(answers.map((r) => r.json().id)).size, 1);
    assert.equal(await countOf(alice.id), before + 1);
    const posts = await t.core.posts.accountStatuses(alice.id, alice.id, { limit: 40 });
    assert.equal(posts.filter((p) => p.text.startsWith('race ')).length, 1);
  });

  it('a refused post does not use its key up; an over-long key is refused', async () => {
    const refused = await postWithKey('retry-key', '');
    assert.equal(refused.statusCode, 422);
    const ok = await postWithKey('retry-key', 'now with text');
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().content, '<p>now with text</p>');
    const long = await postWithKey('k'.repeat(201), 'x');
    assert.equal(long.statusCode, 422);
    assert.match(long.json().error, /Idempotency-Key/);
  });

  it('a key older than an hour counts no more; a deleted post frees its key', async () => {
    const first = await postWithKey('old-key', 'first');
    const inAnHour = new Date(Date.now() + 61 * 60 * 1000);
    const later = await t.core.posts.createPostOnce(alice.id, 'old-key', { text: 'second' }, { now: inAnHour });
    assert.notEqual(later.id, first.json().id);
    assert.equal(later.text, 'second');
    const gone = await postWithKey('deleted-key', 'to delete');
    await call(app, 'DELETE', `/api/v1/statuses/${gone.json().id}`, { token: alice.token });
    const again = await postWithKey('deleted-key', 'again');
    assert.equal(again.statusCode, 200);
    assert.notEqual(again.json().id, gone.json().id);
  });

  it('the hourly cleanup removes keys past their hour, and only those', async () => {
    const kept = await postWithKey('fresh-key', 'fresh');
    const removedNow = await t.core.maintenance.deleteExpiredRows();
    assert.equal(removedNow.idempotencyKeys, 0, 'a key within its hour stays');
    assert.equal((await postWithKey('fresh-key', 'again')).json().id, kept.json().id);
    const later = await t.core.maintenance.deleteExpiredRows({ asOf: new Date(Date.now() + 61 * 60 * 1000) });
    assert.ok(later.idempotencyKeys >= 1, JSON.stringify(later));
    assert.notEqual((await postWithKey('fresh-key', 'after the cleanup')).json().id, kept.json().id);
  });

  it('property: any parameters of any type never make a 5xx, and nothing of another account changes', async () => {
    const bobBefore = await countOf(bob.id);
    const bobPosts = (await t.core.posts.accountStatuses(undefined, bob.id, { limit: 40 })).map((p) => p.id);
    const value = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
      fc.constantFrom('public', 'unlisted', 'private', 'direct', 'true', '0', 'en', `@${bob.username}`, '#tag', '99999', 'x'.repeat(600)),
    );
    const params = fc.record(
      { status: value, visibility: value, spoiler_text: value, sensitive: value, language: value, in_reply_to_id: value, media_ids: value, poll: value, scheduled_at: value },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(params, fc.option(fc.string({ minLength: 1, maxLength: 20 })), async (payload, key) => {
        const res = await call(app, 'POST', '/api/v1/statuses', { token: alice.token, payload, headers: key ? { 'idempotency-key': key } : {} });
        assert.ok(res.statusCode < 500, `${res.statusCode} for ${JSON.stringify(payload)}: ${res.body}`);
        if (res.statusCode === 200) assert.equal((res.json() as Json).account.id, alice.id);
        else assert.equal(typeof (res.json() as Json).error, 'string');
      }),
      { numRuns: 80 },
    );
    assert.equal(await countOf(bob.id), bobBefore);
    assert.deepEqual((await t.core.posts.accountStatuses(undefined, bob.id, { limit: 40 })).map((p) => p.id), bobPosts);
  });
}, { env: { API_RATE_LIMIT: '100000' } });
