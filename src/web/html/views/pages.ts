import { postPath, profilePath, tagPath, type Account, type Post } from '../../../core/index.ts';
import { avatar, composeForm, csrfField, displayName, isPaged, postCard, postList, type ListPage } from './components.ts';
import { count, monthYear } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';

export const PAGE_SIZE = 20;

export interface ComposeState {
  maxLength: number;
  text?: string;
  error?: string | undefined;
}

/** `/`: the public timeline, with the compose box for a logged-in visitor on its first page. */
export function homePage(page: PageContext, list: ListPage<Post>, compose: ComposeState): SafeHtml {
  const paged = isPaged(list);
  const intro = page.viewer
    ? html`<h1 class="visually-hidden">Home</h1>
${composeForm(page, compose)}`
    : html`<section class="hero">
  <h1>Short posts from people you like.</h1>
  <p>Pipit is a small, fast microblog. Read along freely, or join to post your own.</p>
  <p class="hero-actions"><a class="button" href="/auth/sign_up">Create an account</a> <a class="button button-secondary" href="/auth/sign_in">Log in</a></p>
</section>`;
  // Every page has one <h1>: the hero's or a hidden "Home" on the first page, the timeline's own on later ones.
  const timelineHeading = paged
    ? html`<h1 id="timeline-heading" class="section-title">Latest posts</h1>`
    : html`<h2 id="timeline-heading" class="section-title">Latest posts</h2>`;
  return layout(
    { ...page, current: 'home' },
    {
      title: 'Home',
      body: html`${paged ? '' : intro}
<section aria-labelledby="timeline-heading">
  ${timelineHeading}
  ${postList(page, list, { basePath: '/', empty: html`<p>No posts yet. ${page.viewer ? 'Be the first to write one!' : html`<a href="/auth/sign_up">Sign up</a> and be the first.`}</p>` })}
</section>`,
    },
  );
}

/** `/@username`: who they are and their posts. */
export function profilePage(page: PageContext, account: Account, list: ListPage<Post>, options: { deleted?: boolean } = {}): SafeHtml {
  const own = page.viewer?.id === account.id;
  return layout(
    { ...page, current: own ? 'profile' : undefined },
    {
      title: `${displayName(account)} (@${account.username})`,
      description: account.note || `Posts by @${account.username} on Pipit`,
      body: html`${options.deleted ? html`<div class="alert alert-success" role="status">Your post was deleted.</div>` : ''}
<section class="profile" aria-labelledby="profile-name">
  ${avatar(account, 'large')}
  <div>
    <h1 id="profile-name">${displayName(account)}</h1>
    <p class="handle">@${account.username}${account.isAdmin ? html` <span class="badge">Admin</span>` : ''}</p>
    ${account.note ? html`<p class="profile-note">${account.note}</p>` : ''}
    <dl class="profile-stats">
      <div><dt>Posts</dt><dd>${count(account.statusesCount)}</dd></div>
      <div><dt>Joined</dt><dd>${monthYear(account.createdAt)}</dd></div>
    </dl>
  </div>
</section>
<section aria-labelledby="posts-heading">
  <h2 id="posts-heading" class="section-title">Posts</h2>
  ${postList(page, list, { basePath: profilePath(account.username), empty: html`<p>@${account.username} hasn't posted yet.</p>` })}
</section>`,
    },
  );
}

/** `/@username/:id`: one post on its own. */
export function postPage(page: PageContext, post: Post): SafeHtml {
  const a = post.account;
  const excerpt = post.text.length > 80 ? `${post.text.slice(0, 80)}…` : post.text;
  return layout(page, {
    title: `${displayName(a)}: “${excerpt}”`,
    description: excerpt,
    body: html`<p class="back"><a href="${profilePath(a.username)}">← More from @${a.username}</a></p>
${postCard(page, post, { focused: true })}`,
  });
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
