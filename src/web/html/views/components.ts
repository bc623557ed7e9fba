import { postPath, profilePath, type Account, type Post } from '../../../core/index.ts';
import { count, fullTime, relativeTime } from './format.ts';
import { html, raw, type SafeHtml } from './html.ts';
import type { PageContext } from './layout.ts';

/** The id of the compose form's error message: a refused post is sent back to it (`/#compose-error`). */
export const COMPOSE_ERROR_ID = 'compose-error';

const AVATAR_COLOURS = 8;

/** A stable colour per username, as a class (the CSP forbids inline styles). */
function avatarClass(username: string): string {
  let h = 0;
  for (const ch of username) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `avatar avatar-c${h % AVATAR_COLOURS}`;
}

/** A round avatar with the person's initial (pictures arrive with media). */
export function avatar(account: Account, size: 'small' | 'large' = 'small'): SafeHtml {
  const name = account.displayName || account.username;
  return html`<span class="${avatarClass(account.username)} avatar-${size}" aria-hidden="true">${[...name][0]!.toUpperCase()}</span>`;
}

export function displayName(account: Account): string {
  return account.displayName || account.username;
}

/** The hidden CSRF field every state-changing form carries. */
export function csrfField(page: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${page.csrfToken}">`;
}

const VISIBILITY_LABEL = { public: 'Public', unlisted: 'Unlisted', private: 'Followers only', direct: 'Mentioned people only' };

/** One post as a card: author, time (linking to the post), content, and a delete button for its author. */
export function postCard(page: PageContext, post: Post, options: { focused?: boolean; confirming?: boolean } = {}): SafeHtml {
  const a = post.account;
  const permalink = postPath(a.username, post.id);
  const mine = page.viewer?.id === a.id;
  const heading = options.focused ? 'h1' : 'h2';
  // What people write may be right-to-left (dir="auto" lets the browser see it) and in any language.
  const lang = post.language ? html` lang="${post.language}"` : '';
  const footerItems = [
    post.visibility !== 'public' ? html`<span class="badge">${VISIBILITY_LABEL[post.visibility]}</span>` : '',
    post.repliesCount > 0 ? html`<span class="post-stat">${count(post.repliesCount)} ${post.repliesCount === 1 ? 'reply' : 'replies'}</span>` : '',
    // A link to a confirmation page, not a button: one stray click must not delete anything.
    mine && !options.confirming ? html`<a href="/statuses/${post.id}/delete" class="button-link danger post-delete" aria-label="Delete this post">Delete</a>` : '',
  ].filter((item) => item !== '');
  return html`<article class="post${options.focused ? ' post-focused' : ''}" aria-labelledby="post-${post.id}-author">
  <a href="${profilePath(a.username)}" class="post-avatar" tabindex="-1" aria-hidden="true">${avatar(a)}</a>
  <div class="post-body">
    <header class="post-header">
      <${raw(heading)} class="post-author" id="post-${post.id}-author">
        <a href="${profilePath(a.username)}"><span class="display-name">${displayName(a)}</span> <span class="handle">@${a.username}</span></a>
      </${raw(heading)}>
      ${options.focused ? '' : html`<a href="${permalink}" class="post-time"><time datetime="${post.createdAt.toISOString()}" title="${fullTime(post.createdAt)}">${relativeTime(post.createdAt)}</time></a>`}
    </header>
    ${post.inReplyToId ? html`<p class="post-context">Replying to a <a href="${postPath(a.username, post.inReplyToId)}">post</a></p>` : ''}
    ${post.spoilerText ? html`<p class="post-spoiler"><strong>Content warning:</strong> <span dir="auto"${lang}>${post.spoilerText}</span></p>` : ''}
    <div class="post-content" dir="auto"${lang}>${raw(post.contentHtml)}</div>
    ${options.focused ? html`<p class="post-date"><a href="${permalink}"><time datetime="${post.createdAt.toISOString()}">${fullTime(post.createdAt)}</time></a></p>` : ''}
    ${footerItems.length ? html`<footer class="post-footer">${footerItems}</footer>` : ''}
  </div>
</article>`;
}

/** One page of a list, newest first, and whether there is more either way (routes/paging.ts reads it). */
export interface ListPage<T> {
  items: T[];
  /** What the page was asked for: older than `maxId`, or the page just newer than `minId`. */
  bounds: { maxId?: string; minId?: string };
  hasNewer: boolean;
  hasOlder: boolean;
}

/** True when the list is not its first page. */
export function isPaged(list: ListPage<unknown>): boolean {
  return list.bounds.maxId !== undefined || list.bounds.minId !== undefined;
}

/** "Newer" and "Older" links under a page of a list; an empty page past either end links to the first page. */
export function pager(list: ListPage<{ id: string }>, o: { basePath: string; newer: string; older: string }): SafeHtml {
  const first = list.items[0];
  const last = list.items[list.items.length - 1];
  const separator = o.basePath.includes('?') ? '&' : '?';
  const links = [
    list.hasNewer && first ? html`<a class="button button-secondary" href="${o.basePath}${separator}min_id=${first.id}" rel="prev">${o.newer}</a>` : '',
    !first && isPaged(list) ? html`<a class="button button-secondary" href="${o.basePath}">Back to the latest</a>` : '',
    list.hasOlder && last ? html`<a class="button button-secondary" href="${o.basePath}${separator}max_id=${last.id}" rel="next">${o.older}</a>` : '',
  ].filter((l) => l !== '');
  return html`${links.length ? html`<nav class="pager" aria-label="Pagination">${links}</nav>` : ''}
${!list.hasOlder && last ? html`<p class="end-of-feed">You've reached the end.</p>` : ''}`;
}

/** A list of posts with "Newer posts" and "Older posts" links. */
export function postList(page: PageContext, list: ListPage<Post>, options: { basePath: string; empty: SafeHtml }): SafeHtml {
  const pagerHtml = pager(list, { basePath: options.basePath, newer: 'Newer posts', older: 'Older posts' });
  if (list.items.length === 0) return html`<div class="empty">${isPaged(list) ? html`<p>No more posts this way.</p>` : options.empty}</div>${pagerHtml}`;
  return html`<div class="feed">${list.items.map((p) => postCard(page, p))}</div>
${pagerHtml}`;
}

export interface FieldOptions {
  name: string;
  label: string;
  type?: string;
  value?: string;
  autocomplete?: string;
  hint?: string;
  error?: string | undefined;
  required?: boolean;
  maxlength?: number;
  minlength?: number;
  pattern?: string;
  autofocus?: boolean;
}

/** A labelled input with its hint and, after a failed submit, its error (linked for screen readers). */
export function field(o: FieldOptions): SafeHtml {
  const id = `field-${o.name}`;
  const describedBy = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${o.error ? ' field-error' : ''}">
  <label for="${id}">${o.label}</label>
  <input id="${id}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${
    o.required ? html` required` : ''
  }${o.maxlength ? html` maxlength="${o.maxlength}"` : ''}${o.minlength ? html` minlength="${o.minlength}"` : ''}${
    o.pattern ? html` pattern="${o.pattern}"` : ''
  }${o.autofocus ? html` autofocus` : ''}${o.error ? html` aria-invalid="true"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}>
  ${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ''}
  ${o.error ? html`<p class="error-message" id="${id}-error">${o.error}</p>` : ''}
</div>`;
}

/** The box for writing a post; after a rejected submit it shows the message and keeps the text. */
export function composeForm(page: PageContext, options: { maxLength: number; text?: string; error?: string | undefined }): SafeHtml {
  const viewer = page.viewer!;
  return html`<section class="compose" aria-labelledby="compose-heading">
  <h2 id="compose-heading" class="visually-hidden">Write a post</h2>
  <form method="post" action="/statuses" class="compose-form">
    ${csrfField(page)}
    <div class="compose-row">
      ${avatar(viewer)}
      <div class="compose-main">
        <label for="compose-status" class="visually-hidden">What's on your mind?</label>
        <textarea id="compose-status" name="status" rows="3" placeholder="What's on your mind, @${viewer.username}?" required${
          options.error ? html` aria-invalid="true" aria-describedby="${COMPOSE_ERROR_ID}"` : html` aria-describedby="compose-hint"`
        }>${options.text ?? ''}</textarea>
        ${options.error ? html`<p class="error-message" id="${COMPOSE_ERROR_ID}" role="alert">${options.error}</p>` : ''}
        <div class="compose-actions">
          <p class="hint" id="compose-hint">Up to ${count(options.maxLength)} characters. Use @name to mention and #tag to tag.</p>
          <button type="submit" class="button">Post</button>
        </div>
      </div>
    </div>
  </form>
</section>`;
}

/** The error summary at the top of a form. */
export function formAlert(message: string | undefined): SafeHtml {
  return message ? html`<div class="alert alert-error" role="alert">${message}</div>` : html``;
}
