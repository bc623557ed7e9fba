import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { anotherToken, apiUser, type ApiUser } from '../helpers/api-user.ts';
import { bearer } from '../helpers/oauth.ts';

// update_credentials as apps send it (JSON, a form with Rails brackets, multipart), its limits and
// refusals, and what it changes: the CredentialAccount, the public Account, the preferences.

const PUBLIC_URL = 'https://social.example';
const BOUNDARY = '----pipit-test-boundary';

function multipart(fields: Record<string, string>, file?: { name: string; filename: string }): string {
  const parts = Object.entries(fields).map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  if (file) parts.push(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: image/png\r\n\r\n\x89PNG fake\r\n`);
  return `${parts.join('')}--${BOUNDARY}--\r\n`;
}

forEachBackend(
  'API update_credentials and preferences',
  (t) => {
    let app: FastifyInstance;
    let ann: ApiUser;
    before(async () => {
      app = await buildApp(t.core);
      ann = await apiUser(app, t.core, { prefix: 'ann' });
    });
    after(() => app?.close());

    const patch = (payload: string | object, headers: Record<string, string> = {}, token = ann.token) =>
      app.inject({ method: 'PATCH', url: '/api/v1/accounts/update_credentials', headers: { ...bearer(token), ...headers }, payload });

    it('JSON: display name, note, bot, discoverable and the posting defaults', async () => {
      const res = await patch({ display_name: '  Ann  Example ', note: 'Hello <b>world</b>\n\nSecond', bot: true, discoverable: false, source: { privacy: 'unlisted', sensitive: true, language: 'FR' } });
      assert.equal(res.statusCode, 200, res.body);
      const me = res.json();
      assert.equal(me.display_name, 'Ann Example');
      assert.equal(me.note, '<p>Hello &lt;b&gt;world&lt;/b&gt;</p><p>Second</p>');
      assert.equal(me.bot, true);
      assert.equal(me.discoverable, false);
      assert.deepEqual(me.source, { privacy: 'unlisted', sensitive: true, language: 'fr', note: 'Hello <b>world</b>\n\nSecond', fields: [], follow_requests_count: 0, discoverable: false, indexable: false });
      const pub = (await app.inject({ url: `/api/v1/accounts/${ann.account.id}` })).json();
      assert.equal(pub.display_name, 'Ann Example');
      assert.equal(pub.bot, true);
      const prefs = await app.inject({ url: '/api/v1/preferences', headers: bearer(ann.token) });
      assert.deepEqual(prefs.json(), {
        'posting:default:visibility': 'unlisted',
        'posting:default:sensitive': true,
        'posting:default:language': 'fr',
        'reading:expand:media': 'default',
        'reading:expand:spoilers': false,
      });
    });

    it('a form with Rails brackets, and multipart as Ice Cubes and Tusky send it', async () => {
      const form = await patch('display_name=Form%20Ann&source%5Bprivacy%5D=private&bot=0&fields_attributes%5B0%5D%5Bname%5D=&fields_attributes%5B0%5D%5Bvalue%5D=', { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(form.statusCode, 200, form.body);
      assert.equal(form.json().display_name, 'Form Ann');
      assert.equal(form.json().source.privacy, 'private');
      assert.equal(form.json().bot, false);
      const multi = await patch(multipart({ display_name: 'Multi Ann', note: 'from multipart', 'source[language]': '' }), { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` });
      assert.equal(multi.statusCode, 200, multi.body);
      assert.equal(multi.json().display_name, 'Multi Ann');
      assert.equal(multi.json().source.language, null);
      assert.equal(multi.json().source.privacy, 'private', 'absent fields stay');
    });

    it('refusals: too long, bad privacy, locked, profile fields, an avatar that is no image — 422 and nothing saved', async () => {
      const before = (await app.inject({ url: '/api/v1/accounts/verify_credentials', headers: bearer(ann.token) })).json();
      const cases: [string | object, Record<string, string>, RegExp][] = [
        [{ display_name: 'x'.repeat(31) }, {}, /display name has at most 30 characters; this one has 31/],
        [{ display_name: 'ok name', note: 'y'.repeat(501) }, {}, /bio has at most 500 characters; this one has 501/],
        [{ source: { privacy: 'friends' } }, {}, /default visibility/],
        [{ source: { language: 'english' } }, {}, /ISO 639/],
        [{ locked: true }, {}, /Locked accounts/],
        [{ fields_attributes: [{ name: 'site', value: 'https://x.example' }] }, {}, /Profile fields/],
        [{ bot: 'maybe' }, {}, /bot must be true or false/],
        [{ display_name: ['a', 'b'] }, {}, /display_name must be text/],
        [{ source: 'public' }, {}, /source must be an object/],
        [{ avatar: 'data:image/png;base64,AAAA' }, {}, /avatar/],
        [multipart({ display_name: 'Changed' }, { name: 'avatar', filename: 'me.png' }), { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, /avatar/],
      ];
      for (const [payload, headers, message] of cases) {
        const res = await patch(payload, headers);
        assert.equal(res.statusCode, 422, `${JSON.stringify(payload).slice(0, 80)} → ${res.body}`);
        assert.match(res.json().error, /^Validation failed: /);
        assert.match(res.json().error, message);
      }
      const after = (await app.inject({ url: '/api/v1/accounts/verify_credentials', headers: bearer(ann.token) })).json();
      assert.deepEqual(after, before);
    });

    it('locked: false is fine; an empty body changes nothing', async () => {
      assert.equal((await patch({ locked: 'false' })).statusCode, 200);
      const empty = await patch('', { 'content-type': 'application/json' });
      assert.equal(empty.statusCode, 200, empty.body);
    });

    it('scopes: read cannot write; write:accounts can; preferences need read:accounts', async () => {
      const read = await anotherToken(app, ann, 'read');
      assert.equal((await patch({ display_name: 'nope' }, {}, read)).statusCode, 403);
      const writeAccounts = await anotherToken(app, ann, 'write:accounts');
      assert.equal((await patch({ display_name: 'Granular' }, {}, writeAccounts)).statusCode, 200);
      assert.equal((await app.inject({ url: '/api/v1/preferences', headers: bearer(writeAccounts) })).statusCode, 403);
      assert.equal((await app.inject({ url: '/api/v1/preferences' })).statusCode, 401);
    });
  },
  { env: { PUBLIC_URL, API_RATE_LIMIT: '100000' } },
);
