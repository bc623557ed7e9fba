import { postPath, type PostCard } from '../../../core/index.ts';
import { icon, type IconName } from './components.ts';
import { count } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import type { PageContext } from './layout.ts';

// The row under a post: reply, boost, favourite, bookmark, delete. Each toggle is a small form posting
// to /statuses/:id/<action> with the CSRF token and the page to come back to (the card's own anchor),
// so it works without JavaScript; the pressed state is `aria-pressed` and a colour. The boost button
// is left out where the core would refuse it (a followers-only post of someone else, a direct message).


function countText(n: number | undefined): SafeHtml {
  return n === undefined || n === 0 ? html`` : html`<span class="post-action-count"><span class="visually-hidden">, </span>${count(n)}</span>`;
}

/** Whether the core lets `viewerId` boost the post (reblogs.ts: public, unlisted, or one's own followers-only post). */
export function canBoost(post: PostCard, viewerId: string | undefined): boolean {
  return post.visibility === 'public' || post.visibility === 'unlisted' || (post.visibility === 'private' && post.account.id === viewerId);
}

interface Toggle {
  action: 'favourite' | 'reblog' | 'bookmark';
  undo: string;
  label: string;
  icon: IconName;
  pressed: boolean;
  count?: number;
}

function toggleForm(page: PageContext, post: PostCard, returnTo: string, t: Toggle): SafeHtml {
  const action = t.pressed ? t.undo : t.action;
  return html`<form method="post" action="/statuses/${post.id}/${action}" class="inline-form">
      <input type="hidden" name="_csrf" value="${page.csrfToken}"><input type="hidden" name="return_to" value="${returnTo}">
      <button type="submit" class="post-action post-action-${t.icon}" aria-pressed="${t.pressed ? 'true' : 'false'}">${icon(t.icon)}<span class="post-action-label">${t.label}</span>${countText(t.count)}</button>
    </form>`;
}

/** A count without a button (a visitor, or a boost the viewer may not make): icon, number, and the word for screen readers. */
function staticCount(name: IconName, n: number, words: [string, string]): SafeHtml {
  if (n === 0) return html``;
  return html`<span class="post-action post-action-static">${icon(name)}<span class="post-action-count">${count(n)}</span><span class="visually-hidden"> ${n === 1 ? words[0] : words[1]}</span></span>`;
}

/** The footer of a card: visibility label, the buttons with their counts, and Edit and Delete for the author. */
export function postActions(page: PageContext, post: PostCard, o: { key: string; confirming: boolean; visibilityLabel: string | undefined }): SafeHtml {
  const badge = o.visibilityLabel ? html`<span class="badge post-visibility">${o.visibilityLabel}</span>` : '';
  if (o.confirming) return badge ? html`<footer class="post-footer">${badge}</footer>` : html``;
  const viewer = page.viewer;
  const permalink = postPath(post.account.username, post.id);
  const reply = html`<a class="post-action post-action-reply" href="${permalink}#reply">${icon('reply')}<span class="post-action-label">Reply</span>${countText(post.repliesCount)}</a>`;
  if (!viewer || !page.csrfToken) {
    return html`<footer class="post-footer">${reply}${staticCount('boost', post.reblogsCount, ['boost', 'boosts'])}${staticCount('favourite', post.favouritesCount, ['favourite', 'favourites'])}${badge}</footer>`;
  }
  const returnTo = `${(page.path ?? '/').split('#')[0]}#p-${o.key}`;
  const boost = canBoost(post, viewer.id)
    ? toggleForm(page, post, returnTo, { action: 'reblog', undo: 'unreblog', label: 'Boost', icon: 'boost', pressed: post.reblogged, count: post.reblogsCount })
    : staticCount('boost', post.reblogsCount, ['boost', 'boosts']);
  const mine = viewer.id === post.account.id;
  return html`<footer class="post-footer">
    ${reply}
    ${boost}
    ${toggleForm(page, post, returnTo, { action: 'favourite', undo: 'unfavourite', label: 'Favourite', icon: 'favourite', pressed: post.favourited, count: post.favouritesCount })}
    ${toggleForm(page, post, returnTo, { action: 'bookmark', undo: 'unbookmark', label: 'Bookmark', icon: 'bookmark', pressed: post.bookmarked })}
    ${badge}
    ${
      // Links to pages of their own, not buttons: editing needs a form, and one stray click must not delete anything.
      mine
        ? html`<span class="post-own-actions"><a href="/statuses/${post.id}/edit" class="button-link post-edit" aria-label="Edit this post">Edit</a><a href="/statuses/${post.id}/delete" class="button-link danger post-delete" aria-label="Delete this post">Delete</a></span>`
        : ''
    }
  </footer>`;
}
