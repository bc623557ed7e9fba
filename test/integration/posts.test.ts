import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Forbidden, Invalid, NotFound, isId, type Account } from '../../src/core/index.ts';
import { createAccount, TEST_PASSWORD, uniqueUsername } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { domainError } from '../helpers/errors.ts';

// A short limit and a public URL of its own, to show both come from the configuration.
const ENV = { MAX_POST_LENGTH: '100', PUBLIC_URL: 'http://pipit.test:8080' };

forEachBackend('posts', (t) => {
  it('runs with the configuration asked for', () => {
    assert.equal(t.config.maxPostLength, 100);
    assert.equal(t.config.publicUrl, 'http://pipit.test:8080');
  });

  describe('createPost', () => {
    let author: Account;
    let bob: Account;
    before(async () => {
      author = await createAccount(t.core, 'author');
      bob = await createAccount(t.core, 'bob');
    });

    it('publishes a public post with rendered HTML and the author', async () => {
      const post = await t.core.posts.createPost(author.id, { text: 'Hello, world!' });
      assert.ok(isId(post.id));
      assert.equal(post.text, 'Hello, world!');
      assert.equal(post.contentHtml, '<p>Hello, world!</p>');
      assert.equal(post.visibility, 'public');
      assert.equal(post.sensitive, false);
      assert.equal(post.inReplyToId, null);
      assert.equal(post.repliesCount, 0);
      assert.equal(post.account.id, author.id);
      assert.deepEqual(await t.core.posts.getPost(post.id), post);
    });

    it('counts the author’s posts and records when they last posted', async () => {
      const account = await createAccount(t.core);
      const post = await t.core.posts.createPost(account.id, { text: 'one' });
      assert.equal(post.account.statusesCount, 1);
      await t.core.posts.createPost(account.id, { text: 'two' });
      const after = await t.core.accounts.getAccount(account.id);
      assert.equal(after.statusesCount, 2);
      assert.ok(after.lastStatusAt instanceof Date);
    });

    it('links mentions of existing accounts only', async () => {
      const ghost = uniqueUsername('ghost');
      const post = await t.core.posts.createPost(author.id, { text: `hi @${bob.username.toUpperCase()} and @${ghost}` });
      assert.ok(post.contentHtml.includes(`href="/@${bob.username}"`), post.contentHtml);
      assert.ok(!post.contentHtml.includes(`/@${ghost}"`), post.contentHtml);
      assert.ok(post.contentHtml.includes(`@${ghost}`));
    });

    it('links a full handle @user@host on this host only', async () => {
      const post = await t.core.posts.createPost(author.id, { text: `cc @${bob.username}@pipit.test:8080 @${bob.username}@localhost:3000` });
      assert.equal(post.contentHtml.split(`href="/@${bob.username}"`).length, 2, post.contentHtml);
      assert.ok(post.contentHtml.includes(`@${bob.username}@localhost:3000`), post.contentHtml);
    });

    it('records mentions, which let the mentioned read a direct post', async () => {
      const ghostName = uniqueUsername('ghost');
      const post = await t.core.posts.createPost(author.id, { text: `psst @${bob.username} @${ghostName}`, visibility: 'direct' });
      assert.equal((await t.core.posts.getPost(post.id, bob.id)).id, post.id);
      // The account did not exist when the post was made, so it was not mentioned.
      const ghost = await t.core.accounts.signUp({ username: ghostName, email: `${ghostName}@example.com`, password: TEST_PASSWORD });
      await assert.rejects(t.core.posts.getPost(post.id, ghost.id), domainError(NotFound));
    });

    it('files the post under its tags, case-insensitively', async () => {
      const tag = `Tag${Date.now()}`;
      const post = await t.core.posts.createPost(author.id, { text: `about #${tag} and #${tag.toLowerCase()}` });
      assert.ok(post.contentHtml.includes(`/tags/${tag.toLowerCase()}"`), post.contentHtml);
      const tagged = await t.core.posts.tagTimeline(tag.toUpperCase());
      assert.deepEqual(tagged.map((p) => p.id), [post.id]);
    });

    it('strips NUL and control characters, normalises line ends and trims the end', async () => {
      const post = await t.core.posts.createPost(author.id, { text: 'a\u0000b\u0007c\r\nd  \n\n' });
      assert.equal(post.text, 'abc\nd');
      assert.equal(post.contentHtml, '<p>abc<br>d</p>');
    });

    it('refuses blank text', async () => {
      for (const text of ['', '   ', '\n\n\t', '\u0000\u0000']) {
        await assert.rejects(t.core.posts.createPost(author.id, { text }), domainError(Invalid, 'status'), JSON.stringify(text));
      }
    });

    it(`refuses text over the maximum length, counting URLs as 23`, async () => {
      const max = t.config.maxPostLength;
      await assert.rejects(t.core.posts.createPost(author.id, { text: 'x'.repeat(max + 1) }), domainError(Invalid, 'status'));
      await assert.rejects(t.core.posts.createPost(author.id, { text: 'x'.repeat(max * 100) }), domainError(Invalid, 'status'));
      assert.equal((await t.core.posts.createPost(author.id, { text: 'x'.repeat(max) })).text.length, max);
      const withUrl = `${'y'.repeat(max - 24)} https://example.com/${'z'.repeat(200)}`;
      assert.equal((await t.core.posts.createPost(author.id, { text: withUrl })).text, withUrl);
    });

    it('refuses bad options, naming the field', async () => {
      const create = (extra: object) => t.core.posts.createPost(author.id, { text: 'hi', ...extra });
      await assert.rejects(create({ visibility: 'secret' }), domainError(Invalid, 'visibility'));
      await assert.rejects(create({ spoilerText: 'w'.repeat(501) }), domainError(Invalid, 'spoiler_text'));
      await assert.rejects(create({ language: 'english' }), domainError(Invalid, 'language'));
      await assert.rejects(create({ inReplyToId: 'abc' }), domainError(Invalid, 'in_reply_to_id'));
    });

    it('takes a content warning (then sensitive) and a language', async () => {
      const post = await t.core.posts.createPost(author.id, { text: 'spoilers', spoilerText: ' film ', language: 'EN' });
      assert.equal(post.spoilerText, 'film');
      assert.equal(post.sensitive, true);
      assert.equal(post.language, 'en');
    });

    it('makes replies, counting them on the parent', async () => {
      const parent = await t.core.posts.createPost(bob.id, { text: 'parent' });
      const reply = await t.core.posts.createPost(author.id, { text: 'reply', inReplyToId: parent.id });
      assert.equal(reply.inReplyToId, parent.id);
      assert.equal(reply.inReplyToAccountId, bob.id);
      assert.equal((await t.core.posts.getPost(parent.id)).repliesCount, 1);
    });

    it('refuses a reply to a missing post, or one the author may not see', async () => {
      await assert.rejects(t.core.posts.createPost(author.id, { text: 'x', inReplyToId: '123456' }), domainError(NotFound));
      const hidden = await t.core.posts.createPost(bob.id, { text: 'secret', visibility: 'private' });
      await assert.rejects(t.core.posts.createPost(author.id, { text: 'x', inReplyToId: hidden.id }), domainError(NotFound));
      assert.equal((await t.core.posts.getPost(hidden.id, bob.id)).repliesCount, 0);
    });
  });

  describe('deletePost', () => {
    it('lets the author delete, which removes the post and lowers the counter', async () => {
      const author = await createAccount(t.core);
      const post = await t.core.posts.createPost(author.id, { text: 'short-lived' });
      const deleted = await t.core.posts.deletePost(author.id, post.id);
      assert.equal(deleted.id, post.id);
      await assert.rejects(t.core.posts.getPost(post.id, author.id), domainError(NotFound));
      assert.equal((await t.core.accounts.getAccount(author.id)).statusesCount, 0);
    });

    it('forbids deleting someone else’s post, which stays', async () => {
      const author = await createAccount(t.core);
      const other = await createAccount(t.core);
      const post = await t.core.posts.createPost(author.id, { text: 'mine' });
      await assert.rejects(t.core.posts.deletePost(other.id, post.id), domainError(Forbidden));
      assert.equal((await t.core.posts.getPost(post.id)).id, post.id);
      assert.equal((await t.core.accounts.getAccount(author.id)).statusesCount, 1);
    });

    it('reports a post the actor cannot see as NotFound, not Forbidden', async () => {
      const author = await createAccount(t.core);
      const other = await createAccount(t.core);
      const post = await t.core.posts.createPost(author.id, { text: 'private', visibility: 'private' });
      await assert.rejects(t.core.posts.deletePost(other.id, post.id), domainError(NotFound));
      await assert.rejects(t.core.posts.deletePost(other.id, '42'), domainError(NotFound));
    });

    it('lowers the parent’s reply count when a reply goes', async () => {
      const author = await createAccount(t.core);
      const parent = await t.core.posts.createPost(author.id, { text: 'parent' });
      const reply = await t.core.posts.createPost(author.id, { text: 'reply', inReplyToId: parent.id });
      assert.equal((await t.core.posts.getPost(parent.id)).repliesCount, 1);
      await t.core.posts.deletePost(author.id, reply.id);
      assert.equal((await t.core.posts.getPost(parent.id)).repliesCount, 0);
      assert.equal((await t.core.accounts.getAccount(author.id)).statusesCount, 1);
    });

    it('keeps replies when their parent goes', async () => {
      const author = await createAccount(t.core);
      const parent = await t.core.posts.createPost(author.id, { text: 'parent' });
      const reply = await t.core.posts.createPost(author.id, { text: 'reply', inReplyToId: parent.id });
      await t.core.posts.deletePost(author.id, parent.id);
      const orphan = await t.core.posts.getPost(reply.id);
      assert.equal(orphan.inReplyToId, null);
    });

    it('deletes once when two deletions race', async () => {
      const author = await createAccount(t.core);
      await t.core.posts.createPost(author.id, { text: 'keep' });
      const post = await t.core.posts.createPost(author.id, { text: 'racy' });
      await Promise.allSettled([t.core.posts.deletePost(author.id, post.id), t.core.posts.deletePost(author.id, post.id)]);
      await assert.rejects(t.core.posts.getPost(post.id, author.id), domainError(NotFound));
      assert.equal((await t.core.accounts.getAccount(author.id)).statusesCount, 1);
    });
  });

  describe('getPost visibility', () => {
    let author: Account;
    let mentioned: Account;
    let stranger: Account;
    const ids: Record<string, string> = {};
    before(async () => {
      author = await createAccount(t.core, 'author');
      mentioned = await createAccount(t.core, 'mentioned');
      stranger = await createAccount(t.core, 'stranger');
      for (const visibility of ['public', 'unlisted', 'private', 'direct'] as const) {
        ids[visibility] = (await t.core.posts.createPost(author.id, { text: `${visibility} for @${mentioned.username}`, visibility })).id;
      }
    });

    const cases: [string, () => string | undefined, Record<string, boolean>][] = [
      ['a logged-out visitor', () => undefined, { public: true, unlisted: true, private: false, direct: false }],
      ['a stranger', () => stranger.id, { public: true, unlisted: true, private: false, direct: false }],
      ['a mentioned account', () => mentioned.id, { public: true, unlisted: true, private: true, direct: true }],
      ['the author', () => author.id, { public: true, unlisted: true, private: true, direct: true }],
    ];
    for (const [who, viewer, expected] of cases) {
      describe(who, () => {
        for (const [visibility, visible] of Object.entries(expected)) {
          it(`${visible ? 'sees' : 'gets NotFound for'} a ${visibility} post`, async () => {
            const read = t.core.posts.getPost(ids[visibility]!, viewer());
            if (visible) assert.equal((await read).id, ids[visibility]);
            else await assert.rejects(read, domainError(NotFound));
          });
        }
      });
    }

    it('reports malformed and unknown ids as NotFound', async () => {
      await assert.rejects(t.core.posts.getPost('abc'), domainError(NotFound));
      await assert.rejects(t.core.posts.getPost('1'), domainError(NotFound));
    });
  });
}, { env: ENV });
