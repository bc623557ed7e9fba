import { mediaPath, profilePath, type Account, type AuthorCard } from '../../../core/index.ts';
import { html, type SafeHtml } from './html.ts';
import type { PageContext } from './layout.ts';

const AVATAR_COLOURS = 8;

/** A stable colour per username, as a class (the CSP forbids inline styles). */
function avatarClass(username: string): string {
  let h = 0;
  for (const ch of username) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `avatar avatar-c${h % AVATAR_COLOURS}`;
}

/** A round avatar: the account's picture, or its initial on a colour. */
export function avatar(account: Omit<AuthorCard, 'id'>, size: 'small' | 'large' = 'small'): SafeHtml {
  // The uploaded picture where there is one (the small file for lists, the 400 px one on the profile);
  // alt="" since the name is always beside it. Else the initial on a colour, as before.
  const key = size === 'small' ? (account.avatarSmallKey ?? account.avatarKey) : account.avatarKey;
  if (key) return html`<img class="avatar avatar-picture avatar-${size}" src="${mediaPath(key)}" alt=""${size === 'small' ? html` loading="lazy"` : ''}>`;
  const name = account.displayName || account.username;
  // The first character as people see it (a whole code point, so an emoji is not cut in half).
  const initial = String.fromCodePoint(name.codePointAt(0)!).toUpperCase();
  return html`<span class="${avatarClass(account.username)} avatar-${size}" aria-hidden="true">${initial}</span>`;
}

const ICON_NAMES = ['reply', 'boost', 'favourite', 'bookmark', 'search'] as const;
export type IconName = (typeof ICON_NAMES)[number];

// Each icon's markup, made once: a page of posts shows several per card.
const ICONS = Object.fromEntries(ICON_NAMES.map((name) => [name, html`<span class="icon icon-${name}" aria-hidden="true"></span>`])) as Record<IconName, SafeHtml>;

/** An icon drawn by the stylesheet (a mask over the text colour, from /assets/icons): no inline SVG or style. */
export function icon(name: IconName): SafeHtml {
  return ICONS[name];
}

export function displayName(account: Pick<Account, 'displayName' | 'username'>): string {
  return account.displayName || account.username;
}

/** Accounts as rows: avatar, name and handle linking to the profile, and the bio. */
export function accountList(accounts: Account[]): SafeHtml {
  return html`<ul class="feed account-list">${accounts.map(
    (a) => html`<li class="account-row">
  <a href="${profilePath(a.username)}" class="post-avatar" tabindex="-1" aria-hidden="true">${avatar(a)}</a>
  <div class="account-row-body">
    <p class="account-row-name"><a href="${profilePath(a.username)}"><span class="display-name">${displayName(a)}</span> <span class="handle">@${a.username}</span></a></p>
    ${a.note ? html`<p class="account-row-note" dir="auto">${a.note}</p>` : ''}
  </div>
</li>`,
  )}</ul>`;
}

/** The hidden CSRF field every state-changing form carries. */
export function csrfField(page: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${page.csrfToken}">`;
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

/** The error summary at the top of a form. */
export function formAlert(message: string | undefined): SafeHtml {
  return message ? html`<div class="alert alert-error" role="alert">${message}</div>` : html``;
}
