import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { NotFound, type Account, type Post, type Visibility } from '../../src/core/index.ts';
import { canSee } from '../../src/core/domain/visibility.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';

// The one visibility rule in SQL (posts/visibility.ts) against its specification, the pure `canSee`:
// for every visibility × kind of viewer, every read path that takes a viewer answers as canSee does.

const VISIBILITIES: Visibility[] = ['public', 'unlisted', 'private', 'direct'];
type Kind = 'anonymous' | 'author' | 'follower' | 'mentioned' | 'stranger';
const KINDS: Kind[] = ['anonymous', 'author', 'follower', 'mentioned', 'stranger'];

forEachBackend('visibility rule', (t) => {
  let author: Account;
  let viewers: Record<Exclude<Kind, 'anonymous'>, Account>;
  const posts = new Map<Visibility, Post>();
  before(async () => {
    author = await createAccount(t.core, 'author');
    viewers = {
      author,
      follower: await createAccount(t.core, 'follower'),
      mentioned: await createAccount(t.core, 'mentioned'),
      stranger: await createAccount(t.core, 'stranger'),
    };
    await t.core.follows.follow(viewers.follower.id, author.id);
    for (const visibility of VISIBILITIES) {
      posts.set(visibility, await t.core.posts.createPost(author.id, { text: `for @${viewers.mentioned.username} (${visibility})`, visibility }));
    }
  });

  const viewerId = (kind: Kind) => (kind === 'anonymous' ? undefined : viewers[kind].id);
  const expected = (visibility: Visibility, kind: Kind) =>
    canSee({ visibility, authorId: author.id, viewerId: viewerId(kind), viewerMentioned: kind === 'mentioned', viewerFollows: kind === 'follower' });

  for (const visibility of VISIBILITIES) {
    for (const kind of KINDS) {
      it(`${visibility} post, ${kind} viewer: every read path agrees with canSee`, async () => {
        const post = posts.get(visibility)!;
        const want = expected(visibility, kind);
        const id = viewerId(kind);
        // The post page.
        const got = await t.core.posts.getPost(post.id, id).then(
          () => true,
          (error: unknown) => {
            assert.ok(error instanceof NotFound, String(error));
            return false;
          },
        );
        assert.equal(got, want, 'getPost');
        // The account's statuses, the thread of a public reply to it, and (for accounts) favouriting it.
        const listed = (await t.core.posts.accountStatuses(id, author.id, { limit: 40 })).some((p) => p.id === post.id);
        assert.equal(listed, want, 'accountStatuses');
        if (id !== undefined) {
          const favourited = await t.core.interactions.bookmark(id, post.id).then(
            () => true,
            (error: unknown) => {
              assert.ok(error instanceof NotFound, String(error));
              return false;
            },
          );
          assert.equal(favourited, want, 'bookmark');
          const home = (await t.core.posts.homeTimeline(id, { limit: 40 })).some((p) => p.id === post.id);
          // Home shows only what the viewer follows or wrote, and of that only what they may see.
          assert.equal(home, want && (kind === 'author' || kind === 'follower'), 'homeTimeline');
        }
      });
    }
  }

  it('a reply thread shows an ancestor only to those who may see it', async () => {
    const parent = posts.get('private')!;
    const reply = await t.core.posts.createPost(author.id, { text: 'a public reply', inReplyToId: parent.id });
    for (const kind of KINDS) {
      const thread = await t.core.posts.postContext(viewerId(kind), reply.id);
      assert.equal(thread.ancestors.some((p) => p.id === parent.id), expected('private', kind), kind);
    }
  });
});
