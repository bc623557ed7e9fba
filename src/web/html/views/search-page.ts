import { tagPath, type Account, type Post, type Tag } from '../../../core/index.ts';
import { accountList } from './components.ts';
import { postCard } from './post-card.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';

// `/search`: one box for people, hashtags and posts, as the API's search v2 finds them. Posts only for a
// logged-in visitor, among the posts they have a part in (core posts/search.ts says why).

export const SEARCH_QUERY_MAX = 200;

export interface SearchResults {
  q: string;
  accounts: Account[];
  tags: Tag[];
  posts: Post[];
}

function searchForm(q: string): SafeHtml {
  return html`<form method="get" action="/search" role="search" class="search-form">
  <label for="search-q" class="visually-hidden">Search people, hashtags and posts</label>
  <input type="search" id="search-q" name="q" value="${q}" maxlength="${SEARCH_QUERY_MAX}" placeholder="People, #hashtags, words" autocomplete="off">
  <button type="submit" class="button">Search</button>
</form>`;
}

function section(title: string, count: number, body: SafeHtml): SafeHtml {
  return html`<section aria-labelledby="results-${title.toLowerCase()}">
  <h2 id="results-${title.toLowerCase()}" class="section-title">${title}${count ? ` · ${count}` : ''}</h2>
  ${body}
</section>`;
}

export function searchPage(page: PageContext, results: SearchResults | undefined): SafeHtml {
  const q = results?.q ?? '';
  let body: SafeHtml | '' = '';
  if (results) {
    const none = (what: string) => html`<p class="search-none">No ${what} match “${q}”.</p>`;
    const postsBody = page.viewer
      ? results.posts.length
        ? html`<div class="feed">${results.posts.map((post) => postCard(page, post))}</div>`
        : none('posts of yours, or that you favourited, bookmarked or were mentioned in,')
      : html`<p class="search-none"><a href="/auth/sign_in?return_to=${encodeURIComponent(`/search?q=${encodeURIComponent(q)}`)}">Log in</a> to search the posts you wrote, favourited, bookmarked or were mentioned in.</p>`;
    body = html`${section('People', results.accounts.length, results.accounts.length ? accountList(results.accounts) : none('people'))}
${section('Hashtags', results.tags.length, results.tags.length ? html`<ul class="tag-results">${results.tags.map((t) => html`<li><a href="${tagPath(t.name)}">#${t.name}</a> <span class="hint">${t.history.reduce((n, d) => n + d.uses, 0)} posts this week</span></li>`)}</ul>` : none('hashtags'))}
${section('Posts', results.posts.length, postsBody)}`;
  }
  return layout({ ...page, current: 'search' }, {
    title: results ? `Search: ${q}` : 'Search',
    body: html`<h1 class="page-title">Search</h1>
${searchForm(q)}
${body}`,
  });
}
