import { postPath, tagPath, type Post, type PostCard } from '../../../core/index.ts';
import { csrfField, isPaged, type ListPage } from './components.ts';
import { composeForm, type ComposeState } from './compose-form.ts';
import { count } from './format.ts';
import { postCard, postList } from './post-card.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';

export const PAGE_SIZE = 20;

export type TimelineKind = 'home' | 'public';

/** "Home" and "Public" as tabs over the timeline of a logged-in visitor. */
function timelineTabs(kind: TimelineKind): SafeHtml {
  const tab = (href: string, label: string, current: boolean) => html`<a href="${href}" class="tab"${current ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<nav class="tabs" aria-label="Timelines">${tab('/', 'Home', kind === 'home')}${tab('/public', 'Public', kind === 'public')}</nav>`;
}

/**
 * `/` and `/home`: the home timeline of a logged-in visitor (their posts, and those of the accounts they
 * follow), with the compose box; `/public` and `/` logged out: everyone's public posts.
 */
export function homePage(page: PageContext, list: ListPage<PostCard>, compose: ComposeState, kind: TimelineKind = 'public'): SafeHtml {
  const paged = isPaged(list);
  const viewer = page.viewer;
  const intro = viewer
    ? html`<h1 class="visually-hidden">${kind === 'home' ? 'Home' : 'Public timeline'}</h1>
${composeForm(page, compose, { returnTo: kind === 'home' ? '/' : '/public' })}`
    : html`<section class="hero">
  <h1>Short posts from people you like.</h1>
  <p>Pipit is a small, fast microblog. Read along freely, or join to post your own.</p>
  <p class="hero-actions"><a class="button" href="/auth/sign_up">Create an account</a> <a class="button button-secondary" href="/auth/sign_in">Log in</a></p>
</section>`;
  const title = kind === 'home' ? 'Your timeline' : 'Latest posts';
  // Every page has one <h1>: the hero's or a hidden one on the first page, the timeline's own on later ones.
  const timelineHeading = paged
    ? html`<h1 id="timeline-heading" class="section-title">${title}</h1>`
    : html`<h2 id="timeline-heading" class="section-title">${title}</h2>`;
  const basePath = kind === 'home' ? '/' : viewer ? '/public' : '/';
  const empty =
    kind === 'home'
      ? html`<p>Nothing here yet. Write a post, or follow people from the <a href="/public">public timeline</a> to see theirs here.</p>`
      : html`<p>No posts yet. ${viewer ? 'Be the first to write one!' : html`<a href="/auth/sign_up">Sign up</a> and be the first.`}</p>`;
  return layout(
    { ...page, current: kind === 'home' || !viewer ? 'home' : 'public' },
    {
      title: kind === 'home' ? 'Home' : viewer ? 'Public timeline' : 'Home',
      body: html`${paged ? '' : intro}
${viewer ? timelineTabs(kind) : ''}
<section aria-labelledby="timeline-heading">
  ${timelineHeading}
  ${postList(page, list, { basePath, empty })}
</section>`,
    },
  );
}

/** `/statuses/:id/delete`: the question before deleting, with the post, so a stray click deletes nothing. */
export function deletePostPage(page: PageContext, post: Post): SafeHtml {
  const permalink = postPath(post.account.username, post.id);
  return layout(page, {
    title: 'Delete this post?',
    body: html`<section class="confirm" aria-labelledby="confirm-title">
  <h1 id="confirm-title" class="page-title">Delete this post?</h1>
  <p class="lead">It disappears from your profile, the timelines and the tags. This cannot be undone.</p>
  <div class="feed">${postCard(page, post, { confirming: true })}</div>
  <form method="post" action="/statuses/${post.id}/delete" class="confirm-actions">
    ${csrfField(page)}
    <button type="submit" class="button button-danger">Delete post</button>
    <a class="button button-secondary" href="${permalink}">Cancel</a>
  </form>
</section>`,
  });
}

/** `/tags/:tag`: public posts with a hashtag. */
export function tagPage(page: PageContext, tag: string, list: ListPage<Post>): SafeHtml {
  return layout(page, {
    title: `#${tag}`,
    body: html`<h1 class="page-title">#${tag}</h1>
${postList(page, list, { basePath: tagPath(tag), empty: html`<p>No posts with #${tag} yet.</p>` })}`,
  });
}

/** `/about`: what this server is. */
export function aboutPage(page: PageContext, stats: { accounts: number }): SafeHtml {
  return layout(page, {
    title: 'About',
    body: html`<article class="prose">
<h1>About Pipit</h1>
<p>Pipit is a microblogging server: people write short posts, read each other's, and mention one another.</p>
<p>Anyone can read public posts without an account. Posting needs an account, which takes a minute to create.</p>
<p>This server has ${count(stats.accounts)} ${stats.accounts === 1 ? 'account' : 'accounts'}.</p>
</article>`,
  });
}

/** Any error as a page: what happened, what to do, and the request id to report. */
export function errorPage(page: PageContext, options: { status: number; title: string; message: string; requestId: string }): SafeHtml {
  return layout(page, {
    title: options.title,
    body: html`<section class="error-page" aria-labelledby="error-title">
  <p class="error-code">${options.status}</p>
  <h1 id="error-title">${options.title}</h1>
  <p>${options.message}</p>
  <p class="hero-actions"><a class="button" href="/">Go to the home page</a></p>
  <p class="request-id">Request id: <code>${options.requestId}</code></p>
</section>`,
  });
}
