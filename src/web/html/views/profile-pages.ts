import { mediaPath, profilePath, type Account, type PostCard, type Relationship } from '../../../core/index.ts';
import { accountList, avatar, csrfField, displayName, isPaged, pager, type ListPage } from './components.ts';
import { count, monthYear } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { postList } from './post-card.ts';

/** Follow or Unfollow, as a form that comes back to this page; nothing for a visitor or on one's own profile. */
function followButton(page: PageContext, account: Account, relationship: Relationship | undefined): SafeHtml {
  const viewer = page.viewer;
  if (!viewer || viewer.id === account.id || !relationship) return html``;
  const following = relationship.following;
  return html`<form method="post" action="/accounts/${account.id}/${following ? 'unfollow' : 'follow'}" class="inline-form profile-action">
    ${csrfField(page)}<input type="hidden" name="return_to" value="${page.path ?? profilePath(account.username)}">
    <button type="submit" class="button${following ? ' button-secondary' : ''}" aria-label="${following ? 'Unfollow' : 'Follow'} @${account.username}">${following ? 'Unfollow' : 'Follow'}</button>
  </form>`;
}

/** The card at the top of a profile and of its follower lists. */
function profileCard(page: PageContext, account: Account, relationship: Relationship | undefined, o: { heading: 'h1' | 'h2' }): SafeHtml {
  const own = page.viewer?.id === account.id;
  const base = profilePath(account.username);
  const name = o.heading === 'h1' ? html`<h1 id="profile-name">${displayName(account)}</h1>` : html`<h2 id="profile-name" class="profile-name"><a href="${base}">${displayName(account)}</a></h2>`;
  // The header, when there is one, sits atop the card (alt="": it decorates; the card says who this is).
  const header = account.headerKey ? html`<img class="profile-header" src="${mediaPath(account.headerKey)}" alt="" width="1500" height="500">` : '';
  return html`<section class="profile${account.headerKey ? ' profile-with-header' : ''}" aria-labelledby="profile-name">
  ${header}
  ${avatar(account, 'large')}
  <div class="profile-main">
    <div class="profile-top">
      <div>
        ${name}
        <p class="handle">@${account.username}${account.isAdmin ? html` <span class="badge">Admin</span>` : ''}${relationship?.followedBy ? html` <span class="badge badge-muted">Follows you</span>` : ''}</p>
      </div>
      ${own ? html`<a class="button button-secondary button-small profile-action" href="/settings/profile">Edit profile</a>` : followButton(page, account, relationship)}
    </div>
    ${account.note ? html`<p class="profile-note" dir="auto">${account.note}</p>` : ''}
    <dl class="profile-stats">
      <div><dt>Posts</dt><dd>${count(account.statusesCount)}</dd></div>
      <div><dt><a href="${base}/following">Following</a></dt><dd>${count(account.followingCount)}</dd></div>
      <div><dt><a href="${base}/followers">Followers</a></dt><dd>${count(account.followersCount)}</dd></div>
      <div><dt>Joined</dt><dd>${monthYear(account.createdAt)}</dd></div>
    </dl>
  </div>
</section>`;
}

/** `/@username`: who they are, how the viewer stands with them, and their posts and boosts. */
export function profilePage(
  page: PageContext,
  account: Account,
  list: ListPage<PostCard>,
  options: { deleted?: boolean; relationship?: Relationship | undefined; tab?: 'posts' | 'media' } = {},
): SafeHtml {
  const own = page.viewer?.id === account.id;
  const media = options.tab === 'media';
  const base = profilePath(account.username);
  return layout(
    { ...page, current: own ? 'profile' : undefined },
    {
      title: media ? `Pictures by ${displayName(account)} (@${account.username})` : `${displayName(account)} (@${account.username})`,
      description: account.note || `Posts by @${account.username} on Pipit`,
      body: html`${options.deleted ? html`<div class="alert alert-success" role="status">Your post was deleted.</div>` : ''}
${profileCard(page, account, options.relationship, { heading: 'h1' })}
<nav class="tabs" aria-label="What to show">
  <a href="${base}" class="tab"${media ? '' : html` aria-current="page"`}>Posts</a>
  <a href="${base}/media" class="tab"${media ? html` aria-current="page"` : ''}>Media</a>
</nav>
<section aria-labelledby="posts-heading">
  <h2 id="posts-heading" class="section-title">${media ? 'Posts with pictures' : 'Posts and boosts'}</h2>
  ${postList(page, list, {
    basePath: media ? `${base}/media` : base,
    empty: media ? html`<p>@${account.username} hasn't posted pictures yet.</p>` : html`<p>@${account.username} hasn't posted yet.</p>`,
  })}
</section>`,
    },
  );
}

/** `/@username/followers` and `/@username/following`: accounts with their names and bios, paged. */
export function accountListPage(page: PageContext, account: Account, kind: 'followers' | 'following', list: ListPage<{ id: string; account: Account }>): SafeHtml {
  const title = kind === 'followers' ? `Followers of @${account.username}` : `Accounts @${account.username} follows`;
  const basePath = `${profilePath(account.username)}/${kind}`;
  const empty = kind === 'followers' ? `Nobody follows @${account.username} yet.` : `@${account.username} follows nobody yet.`;
  const pagerHtml = pager(list, { basePath, newer: 'Newer', older: 'Older' });
  return layout(page, {
    title,
    body: html`<p class="back"><a href="${profilePath(account.username)}">← Back to @${account.username}</a></p>
<h1 class="page-title">${title}</h1>
<nav class="tabs" aria-label="Connections">
  <a href="${profilePath(account.username)}/followers" class="tab"${kind === 'followers' ? html` aria-current="page"` : ''}>Followers · ${count(account.followersCount)}</a>
  <a href="${profilePath(account.username)}/following" class="tab"${kind === 'following' ? html` aria-current="page"` : ''}>Following · ${count(account.followingCount)}</a>
</nav>
${
  list.items.length === 0
    ? html`<div class="empty"><p>${isPaged(list) ? 'No more accounts this way.' : empty}</p></div>`
    : accountList(list.items.map((item) => item.account))
}
${pagerHtml}`,
  });
}
