import type { Post } from '../../../core/index.ts';
import type { ListPage } from './components.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { entryList } from './post-card.ts';

const WORDS = {
  bookmarks: { title: 'Bookmarks', empty: 'Nothing bookmarked yet. Press Bookmark under a post to keep it here; only you see your bookmarks.' },
  favourites: { title: 'Favourites', empty: 'No favourites yet. Press Favourite under a post you like; it shows up here.' },
} as const;

/** `/bookmarks` and `/favourites`: the viewer's own lists, newest first. */
export function collectionPage(page: PageContext, kind: 'bookmarks' | 'favourites', list: ListPage<{ id: string; post: Post }>): SafeHtml {
  const words = WORDS[kind];
  return layout(
    { ...page, current: kind },
    {
      title: words.title,
      body: html`<h1 class="page-title">${words.title}</h1>
${entryList(page, list, { basePath: `/${kind}`, empty: html`<p>${words.empty}</p>` })}`,
    },
  );
}
