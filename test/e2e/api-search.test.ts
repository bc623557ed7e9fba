import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Account } from '../../src/core/index.ts';
import { buildApp } from '../../src/web/app.ts';
import { createAccount } from '../helpers/accounts.ts';
import { TAG_KEYS, sortedKeys } from '../helpers/mastodon-entities.ts';
import { apiUser, anotherToken, type ApiUser } from '../helpers/api-user.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { bearer } from '../helpers/oauth.ts';

// Account search (@-mention autocomplete), search v2 in each of its forms, and tags by name.

const PUBLIC_URL = 'https://social.example';

forEachBackend(
  'API search',
  (t) => {
    let app: FastifyInstance;
    let ann: ApiUser;
    let zed: Account;
    let zelda: Account;
    let hidden: Account;
    let privatePostId: string;
    let publicPostId: string;
    before(async () => {
      app = await buildApp(t.core);
      ann = await apiUser(app, t.core, { prefix: 'ann' });
      zed = await createAccount(t.core, 'zedsearch');
      zelda = await createAccount(t.core, 'zedsearchlda');
      hidden = await createAccount(t.core, 'zedsearchhid');
      await t.core.accounts.updateProfile(zelda.id, { displayName: 'Quokka Queen' });
      await t.core.accounts.updateProfile(hidden.id, { discoverable: false, displayName: 'Quokka Hidden' });
      await t.core.follows.follow(ann.account.id, zelda.id);
      publicPostId = (await t.core.posts.createPost(zed.id, { text: 'about #searchable things and #searchparty' })).id;
      privatePostId = (await t.core.posts.createPost(zed.id, { text: 'followers only #searchable', visibility: 'private' })).id;
    });
    after(() => app?.close());

    const get = (url: string, token: string | null = ann.token) => app.inject({ url, headers: token ? bearer(token) : {} });
    const usernames = (res: { json(): unknown }) => (res.json() as { username: string }[]).map((a) => a.username);

    it('accounts/search: by username prefix, display name prefix, handle; following; limit and offset', async () => {
      const prefix = 'zedsearch';
      const byPrefix = await get(`/api/v1/accounts/search?q=${prefix}`);
      assert.equal(byPrefix.statusCode, 200, byPrefix.body);
      assert.ok(usernames(byPrefix).includes(zed.username) && usernames(byPrefix).includes(zelda.username));
      assert.ok(!usernames(byPrefix).includes(hidden.username), 'not discoverable: not found by prefix');
      assert.deepEqual(usernames(await get(`/api/v1/accounts/search?q=${hidden.username}`)), [hidden.username], 'found by exact username');
      assert.equal((await get(`/api/v1/accounts/${hidden.id}`, null)).json().discoverable, false, 'the Account says so');
      assert.equal((await get(`/api/v1/accounts/${zed.id}`, null)).json().discoverable, true);
      assert.deepEqual(usernames(await get('/api/v1/accounts/search?q=quokka')), [zelda.username]);
      assert.deepEqual(usernames(await get(`/api/v1/accounts/search?q=${encodeURIComponent(`@${zed.username}@social.example`)}`))[0], zed.username);
      assert.deepEqual(usernames(await get(`/api/v1/accounts/search?q=${encodeURIComponent(`@${zed.username}@elsewhere.example`)}`)), []);
      assert.deepEqual(usernames(await get(`/api/v1/accounts/search?q=${prefix}&following=true`)), [zelda.username]);
      assert.equal((await get(`/api/v1/accounts/search?q=${prefix}&limit=1`)).json().length, 1);
      assert.deepEqual((await get(`/api/v1/accounts/search?q=${prefix}&offset=100`)).json(), []);
      assert.deepEqual((await get('/api/v1/accounts/search?q=%25%5F')).json(), [], 'LIKE wildcards are text');
      assert.equal((await get('/api/v1/accounts/search')).statusCode, 400);
      assert.equal((await get('/api/v1/accounts/search?q=zed&resolve=perhaps')).statusCode, 422);
      assert.equal((await get('/api/v1/accounts/search?q=zed', null)).statusCode, 401);
    });

    it('v2 search: accounts and hashtags by prefix; statuses by whole words only', async () => {
      const res = await get('/api/v2/search?q=searcha');
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['accounts', 'hashtags', 'statuses']);
      assert.deepEqual(body.hashtags.map((h: { name: string }) => h.name), ['searchable']);
      assert.deepEqual(Object.keys(body.hashtags[0]).sort(), sortedKeys(TAG_KEYS));
      assert.equal(body.hashtags[0].url, `${PUBLIC_URL}/tags/searchable`);
      assert.deepEqual(body.statuses, [], 'posts match whole words, not the start of one');
      const tagsOnly = (await get('/api/v2/search?q=%23search&type=hashtags')).json();
      assert.deepEqual(tagsOnly.hashtags.map((h: { name: string }) => h.name).sort(), ['searchable', 'searchparty']);
      assert.deepEqual(tagsOnly.accounts, []);
      const accountsOnly = (await get(`/api/v2/search?q=@${zed.username}&type=accounts`)).json();
      assert.equal(accountsOnly.accounts[0].id, zed.id);
      assert.deepEqual((await get('/api/v2/search?q=searcha&type=statuses')).json(), { accounts: [], statuses: [], hashtags: [] });
    });

    it('v2 search of posts: by their words, among the caller\'s own, favourited, bookmarked and mentioning ones', async () => {
      const own = (await t.core.posts.createPost(ann.account.id, { text: 'Quokkas are LOVELY animals' })).id;
      const mentioning = (await t.core.posts.createPost(zed.id, { text: `@${ann.account.username} a lovely day`, visibility: 'direct' })).id;
      const bookmarked = (await t.core.posts.createPost(zelda.id, { text: 'lovely weather', spoilerText: 'forecast' })).id;
      await t.core.interactions.bookmark(ann.account.id, bookmarked);
      await t.core.interactions.favourite(ann.account.id, publicPostId);
      await t.core.posts.createPost(zelda.id, { text: 'a lovely post ann has no part in' });
      const ids = async (query: string, token: string | null = ann.token) => {
        const res = await get(`/api/v2/search?type=statuses&${query}`, token);
        assert.equal(res.statusCode, 200, res.body);
        return (res.json().statuses as { id: string }[]).map((s) => s.id);
      };
      assert.deepEqual(await ids('q=lovely'), [bookmarked, mentioning, own], 'newest first; not the post ann has no part in');
      assert.deepEqual(await ids('q=things%20about'), [publicPostId], 'a favourited post; every word, any order');
      assert.deepEqual(await ids('q=forecast'), [bookmarked], 'the content warning counts');
      assert.deepEqual(await ids('q=lovely%20quokkas'), [own]);
      assert.deepEqual(await ids(`q=lovely&account_id=${zed.id}`), [mentioning]);
      assert.deepEqual(await ids('q=lovely&limit=1&offset=1'), [mentioning]);
      assert.deepEqual(await ids(`q=lovely&max_id=${mentioning}`), [own]);
      assert.deepEqual(await ids(`q=lovely&min_id=${own}&limit=1`), [mentioning], 'the match just newer');
      assert.deepEqual(await ids(`q=lovely&since_id=${own}&limit=1`), [bookmarked], 'the newest newer one');
      assert.deepEqual(await ids('q=lovely', null), [], 'signed out: no post search');
      assert.deepEqual(await ids(`q=${encodeURIComponent('!!! & | ( ) :* \' " \\')}`), [], 'operators are text');
      assert.equal((await get('/api/v2/search?q=lovely&max_id=abc')).statusCode, 422);
      // A followers-only post ann bookmarked leaves her search once she no longer follows its author.
      const secret = (await t.core.posts.createPost(zelda.id, { text: 'followers hear the secret', visibility: 'private' })).id;
      await t.core.interactions.bookmark(ann.account.id, secret);
      assert.deepEqual(await ids('q=secret'), [secret]);
      await t.core.follows.unfollow(ann.account.id, zelda.id);
      assert.deepEqual(await ids('q=secret'), [], 'no longer visible to her');
      await t.core.follows.follow(ann.account.id, zelda.id);
    });

    it('a tag used only in followers-only or direct posts is found by nobody, not even by name', async () => {
      await t.core.posts.createPost(zed.id, { text: `@${ann.account.username} the plan #layoffsmarch`, visibility: 'direct' });
      await t.core.posts.createPost(zed.id, { text: 'between us #mergerwithacme', visibility: 'private' });
      for (const token of [null, ann.token]) {
        assert.equal((await get('/api/v1/tags/layoffsmarch', token)).statusCode, 404);
        assert.equal((await get('/api/v1/tags/mergerwithacme', token)).statusCode, 404);
        assert.deepEqual((await get('/api/v2/search?q=%23layoff&type=hashtags', token)).json().hashtags, []);
        assert.deepEqual((await get('/api/v2/search?q=merger&type=hashtags', token)).json().hashtags, []);
      }
      await t.core.posts.createPost(zelda.id, { text: 'in public now #mergerwithacme', visibility: 'unlisted' });
      assert.equal((await get('/api/v1/tags/mergerwithacme', null)).statusCode, 200, 'once a post everyone may see uses it');
    });

    it('v2 search by URL: a profile, a visible post, a tag; invisible or foreign → nothing', async () => {
      const profile = (await get(`/api/v2/search?q=${encodeURIComponent(`${PUBLIC_URL}/@${zed.username}`)}`)).json();
      assert.deepEqual(profile.accounts.map((a: { id: string }) => a.id), [zed.id]);
      const post = (await get(`/api/v2/search?q=${encodeURIComponent(`${PUBLIC_URL}/@${zed.username}/${publicPostId}`)}&resolve=true`)).json();
      assert.deepEqual(post.statuses.map((s: { id: string }) => s.id), [publicPostId]);
      assert.deepEqual(post.accounts, []);
      const hiddenPost = (await get(`/api/v2/search?q=${encodeURIComponent(`${PUBLIC_URL}/@${zed.username}/${privatePostId}`)}`)).json();
      assert.deepEqual(hiddenPost.statuses, [], 'a private post of someone ann does not follow');
      const wrongAuthor = (await get(`/api/v2/search?q=${encodeURIComponent(`${PUBLIC_URL}/@${zelda.username}/${publicPostId}`)}`)).json();
      assert.deepEqual(wrongAuthor.statuses, []);
      const tag = (await get(`/api/v2/search?q=${encodeURIComponent(`${PUBLIC_URL}/tags/searchable`)}`)).json();
      assert.deepEqual(tag.hashtags.map((h: { name: string }) => h.name), ['searchable']);
      for (const broken of [`${PUBLIC_URL}/@%E0%A4%A`, `${PUBLIC_URL}/tags/%zz`, `${PUBLIC_URL}/@${zed.username}/%zz`]) {
        const res = await get(`/api/v2/search?q=${encodeURIComponent(broken)}`);
        assert.equal(res.statusCode, 200, `${broken}: ${res.body}`);
        assert.deepEqual(res.json(), { accounts: [], statuses: [], hashtags: [] }, 'a local address with broken escapes names nothing');
      }
      const foreign = (await get(`/api/v2/search?q=${encodeURIComponent(`https://elsewhere.example/@${zed.username}`)}`)).json();
      assert.deepEqual(foreign.accounts, []);
    });

    it('v2 search: anonymous allowed, a token without read:search refused, q required', async () => {
      assert.equal((await get('/api/v2/search?q=searcha', null)).statusCode, 200);
      assert.equal((await get('/api/v2/search?q=searcha', await anotherToken(app, ann, 'read:statuses'))).statusCode, 403);
      assert.equal((await get('/api/v2/search?q=searcha', 'dead-token')).statusCode, 401);
      assert.equal((await get('/api/v2/search')).statusCode, 400);
      assert.equal((await get('/api/v2/search?q=x&limit=-3&offset=abc')).statusCode, 200);
    });

    it('tags/:name: Tag with its last week of public use and following false; unknown → 404', async () => {
      // Public posts count (zed's from before, and zelda's); the private one and an unlisted one do not.
      const post = await t.core.posts.createPost(zelda.id, { text: 'me too #SearchAble' });
      await t.core.posts.createPost(zelda.id, { text: 'quietly #searchable', visibility: 'unlisted' });
      const res = await get('/api/v1/tags/SearchAble', null);
      assert.equal(res.statusCode, 200, res.body);
      const today = Math.floor(new Date(post.createdAt).getTime() / 86_400_000) * 86_400;
      const history = Array.from({ length: 7 }, (_, i) => ({ day: String(today - i * 86_400), uses: i ? '0' : '2', accounts: i ? '0' : '2' }));
      assert.deepEqual(res.json(), { name: 'searchable', url: `${PUBLIC_URL}/tags/searchable`, history, following: false });
      assert.equal((await get('/api/v1/tags/neverusedtag')).statusCode, 404);
      assert.equal((await get(`/api/v1/tags/${'x'.repeat(180)}`)).statusCode, 404);
    });
  },
  { env: { PUBLIC_URL, API_RATE_LIMIT: '100000' } },
);
