import type { Post, PostCard } from '../../src/core/index.ts';

/** What a website list shows of `post` (core PostCard): the card the core should give for it. */
export function asCard(post: Post): PostCard {
  const { text: _text, mentions: _mentions, tags: _tags, application: _application, account: a, reblog, ...rest } = post;
  return {
    ...rest,
    account: { id: a.id, username: a.username, displayName: a.displayName, avatarKey: a.avatarKey, avatarSmallKey: a.avatarSmallKey },
    reblog: reblog && asCard(reblog),
  };
}
