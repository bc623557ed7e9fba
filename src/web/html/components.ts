import type { Account, Post } from '../../core/index.ts';
import { count, fullTime, relativeTime } from './format.ts';
import { html, raw, type SafeHtml } from './html.ts';
import type { PageContext } from './layout.ts';

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
export function postCard(page: PageContext, post: Post, options: { focused?: boolean } = {}): SafeHtml {
  const a = post.account;
  const permalink = `/@${a.username}/${post.id}`;
  const mine = page.viewer?.id === a.id;
  const heading = options.focused ? 'h1' : 'h2';
  // What people write may be right-to-left (dir="auto" lets the browser see it) and in any language.
  const lang = post.language ? html` lang="${post.language}"` : '';
  const footerItems = [
    post.visibility !== 'public' ? html`<span class="badge">${VISIBILITY_LABEL[post.visibility]}</span>` : '',
    post.repliesCount > 0 ? html`<span class="post-stat">${count(post.repliesCount)} ${post.repliesCount === 1 ? 'reply' : 'replies'}</span>` : '',
    mine
      ? html`<form method="post" action="/statuses/${post.id}/delete" class="inline-form post-delete">
        ${csrfField(page)}
        <button type="submit" class="button-link danger" aria-label="Delete this post">Delete</button>
      </form>`
      : '',
  ].filter((item) => item !== '');
  return html`<article class="post${options.focused ? ' post-focused' : ''}" aria-labelledby="post-${post.id}-author">
  <a href="/@${a.username}" class="post-avatar" tabindex="-1" aria-hidden="true">${avatar(a)}</a>
  <div class="post-body">
    <header class="post-header">
      <${raw(heading)} class="post-author" id="post-${post.id}-author">
        <a href="/@${a.username}"><span class="display-name">${displayName(a)}</span> <span class="handle">@${a.username}</span></a>
      </${raw(heading)}>
      <a href="${permalink}" class="post-time"><time datetime="${post.createdAt.toISOString()}" title="${fullTime(post.createdAt)}">${relativeTime(post.createdAt)}</time></a>
    </header>
    ${post.inReplyToId ? html`<p class="post-context">Replying to a <a href="/@${a.username}/${post.inReplyToId}">post</a></p>` : ''}
    ${post.spoilerText ? html`<p class="post-spoiler"><strong>Content warning:</strong> <span dir="auto"${lang}>${post.spoilerText}</span></p>` : ''}
    <div class="post-content" dir="auto"${lang}>${raw(post.contentHtml)}</div>
    ${footerItems.length ? html`<footer class="post-footer">${footerItems}</footer>` : ''}
  </div>
</article>`;
}

/** A list of posts with an "older posts" link when the page is full. */
export function postList(page: PageContext, posts: Post[], options: { basePath: string; pageSize: number; empty: SafeHtml }): SafeHtml {
  if (posts.length === 0) return html`<div class="empty">${options.empty}</div>`;
  const last = posts[posts.length - 1]!;
  const separator = options.basePath.includes('?') ? '&' : '?';
  return html`<div class="feed">${posts.map((p) => postCard(page, p))}</div>
${
  posts.length >= options.pageSize
    ? html`<nav class="pager" aria-label="Pagination"><a class="button button-secondary" href="${options.basePath}${separator}max_id=${last.id}" rel="next">Older posts</a></nav>`
    : html`<p class="end-of-feed">You've reached the end.</p>`
}`;
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
          options.error ? html` aria-invalid="true" aria-describedby="compose-error"` : html` aria-describedby="compose-hint"`
        }>${options.text ?? ''}</textarea>
        ${options.error ? html`<p class="error-message" id="compose-error" role="alert">${options.error}</p>` : ''}
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
