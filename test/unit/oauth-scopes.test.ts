import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KNOWN_SCOPES, isKnownScope, scopeAllows, scopesWithin, splitScopes } from '../../src/core/domain/oauth-scopes.ts';
import { redirectUriProblem, splitRedirectUris, withQueryParameters } from '../../src/core/domain/redirect-uris.ts';

// Mastodon's scope hierarchy and the redirect URIs apps may register, as pure rules.

const granular = KNOWN_SCOPES.filter((s) => s.includes(':'));
const scope = fc.constantFrom(...KNOWN_SCOPES);

describe('scopeAllows', () => {
  it('read covers every read:* and write every write:*, and neither the other', () => {
    for (const s of granular) {
      assert.equal(scopeAllows(['read'], s), s.startsWith('read:'), s);
      assert.equal(scopeAllows(['write'], s), s.startsWith('write:'), s);
    }
  });

  it('follow covers reading and writing blocks, follows and mutes, and nothing else', () => {
    const covered = ['read:blocks', 'write:blocks', 'read:follows', 'write:follows', 'read:mutes', 'write:mutes'];
    for (const s of KNOWN_SCOPES) assert.equal(scopeAllows(['follow'], s), s === 'follow' || covered.includes(s), s);
  });

  it('push and profile stand alone; no broad scope grants them', () => {
    for (const s of ['push', 'profile']) {
      assert.equal(scopeAllows([s], s), true);
      assert.equal(scopeAllows(['read', 'write', 'follow'], s), false);
    }
    assert.equal(scopeAllows(['profile'], 'read:accounts'), false);
  });

  it('a granular scope never grants its family or a sibling', () => {
    assert.equal(scopeAllows(['read:statuses'], 'read'), false);
    assert.equal(scopeAllows(['read:statuses'], 'read:accounts'), false);
  });

  it('property: granted scopes allow themselves, adding scopes never takes anything away, and allowing is exactly membership or the hierarchy', () => {
    fc.assert(
      fc.property(fc.uniqueArray(scope, { maxLength: 6 }), fc.uniqueArray(scope, { maxLength: 6 }), scope, (granted, more, required) => {
        for (const g of granted) assert.ok(scopeAllows(granted, g));
        if (scopeAllows(granted, required)) assert.ok(scopeAllows([...granted, ...more], required));
        const family = required.split(':')[0]!;
        const viaFollow = /^(read|write):(blocks|follows|mutes)$/.test(required) && granted.includes('follow');
        assert.equal(scopeAllows(granted, required), granted.includes(required) || (required.includes(':') && granted.includes(family)) || viaFollow);
        assert.equal(scopesWithin(granted, granted), true);
      }),
    );
  });

  it('splitScopes takes spaces, plus signs and arrays, and drops duplicates', () => {
    assert.deepEqual(splitScopes('read  write+follow read'), ['read', 'write', 'follow']);
    assert.deepEqual(splitScopes(['read write', 'push']), ['read', 'write', 'push']);
    assert.equal(isKnownScope('admin:read'), false);
  });
});

describe('redirect URIs', () => {
  it('accepts https, custom schemes and out of band', () => {
    for (const uri of ['https://elk.zone/api/x/oauth', 'http://localhost:4000/cb', 'oauth2redirect://com.keylesspalace.tusky/', 'com.tapbots.Ivory.19300:/request_token', 'icecubesapp://', 'urn:ietf:wg:oauth:2.0:oob']) {
      assert.equal(redirectUriProblem(uri), undefined, uri);
    }
  });

  it('refuses script schemes in any case, relative URIs, fragments, spaces, non-ASCII and over-long ones', () => {
    for (const uri of ['javascript:alert(1)', 'JAVASCRIPT:x', 'data:text/html,x', 'VBScript:x', '/cb', 'cb', 'https://a/#f', 'https://a/ b', 'https://a/é', `https://a/${'x'.repeat(2000)}`]) {
      assert.ok(redirectUriProblem(uri), uri);
    }
  });

  it('property: whatever the input, either refused or printable ASCII with a scheme', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 50, unit: 'binary' }), (uri) => {
        if (redirectUriProblem(uri) === undefined) assert.match(uri, /^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]+$/);
      }),
    );
  });

  it('splits newline lists and keeps the URI exactly when adding parameters', () => {
    assert.deepEqual(splitRedirectUris('a:b\r\n c:d \n\n'), ['a:b', 'c:d']);
    assert.equal(withQueryParameters('com.tapbots.Ivory.19300:/request_token', { code: 'x y', state: undefined }), 'com.tapbots.Ivory.19300:/request_token?code=x+y');
    assert.equal(withQueryParameters('https://a.example/cb?x=1', { code: 'c' }), 'https://a.example/cb?x=1&code=c');
  });
});
