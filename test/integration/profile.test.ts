import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DISPLAY_NAME_MAX, Invalid, NOTE_MAX } from '../../src/core/index.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';

// core.accounts.updateProfile: the display name and bio, within their limits, counted as people count.

forEachBackend('profile editing', (t) => {
  it('changes only the fields given, trimmed, a display name on one line and a bio with its line breaks', async () => {
    const account = await createAccount(t.core, 'prof');
    const named = await t.core.accounts.updateProfile(account.id, { displayName: '  Ada\n Lovelace\u0000 ' });
    assert.equal(named.displayName, 'Ada Lovelace');
    assert.equal(named.note, '');
    const noted = await t.core.accounts.updateProfile(account.id, { note: ' first line\r\nsecond line ' });
    assert.equal(noted.displayName, 'Ada Lovelace', 'untouched when not given');
    assert.equal(noted.note, 'first line\nsecond line');
    assert.deepEqual(await t.core.accounts.getAccount(account.id), noted);
  });

  it('counts characters as people do (an emoji is one) and refuses every field over its limit at once, saving nothing', async () => {
    const account = await createAccount(t.core, 'prof');
    const emoji = '🌷'.repeat(DISPLAY_NAME_MAX);
    assert.equal((await t.core.accounts.updateProfile(account.id, { displayName: emoji })).displayName, emoji);
    const error = await t.core.accounts.updateProfile(account.id, { displayName: 'x'.repeat(DISPLAY_NAME_MAX + 1), note: 'y'.repeat(NOTE_MAX + 1) }).then(
      () => assert.fail('accepted'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof Invalid);
    assert.deepEqual(Object.keys(error.fields).sort(), ['display_name', 'note']);
    assert.match(error.fields.note!, /at most 500 characters; this one has 501/);
    assert.equal((await t.core.accounts.getAccount(account.id)).displayName, emoji, 'nothing saved');
  });

  it('says NotFound for an unknown or malformed account id', async () => {
    for (const id of ['999999999999', 'nope']) {
      await assert.rejects(t.core.accounts.updateProfile(id, { note: 'x' }), { name: 'NotFound' });
    }
  });
});
