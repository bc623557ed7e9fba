import { profilePath, type Account } from '../../../core/index.ts';
import { avatar, icon } from './components.ts';
import { html, type SafeHtml } from './html.ts';

/** Past this the header says "99+": the count is for a glance, and counting stops there. */
export const UNREAD_CAP = 100;

export interface PageContext {
  /** The logged-in account, if any. */
  viewer: Account | undefined;
  /** The CSRF token for this response's forms. */
  csrfToken: string;
  /** The viewer's unread notifications (capped at UNREAD_CAP), when known. */
  unread?: number | undefined;
  /** The address of this page (path and query), where its forms send the visitor back to. */
  path?: string | undefined;
  /** Which nav entry is current. */
  current?: 'home' | 'public' | 'search' | 'profile' | 'edit_profile' | 'bookmarks' | 'favourites' | 'sign_in' | 'sign_up' | 'notifications' | 'settings' | 'admin' | undefined;
  /**
   * The browser said its reader does not ask for reduced motion (the `Sec-CH-Prefers-Reduced-Motion`
   * client hint): only then do animated GIFs (gifv) play by themselves. The site has no script to ask
   * the media query, so a browser that does not say gets them still, with controls to play them.
   */
  motionOk?: boolean | undefined;
}

export interface LayoutOptions {
  title: string;
  description?: string;
  body: SafeHtml;
}

/** A magnifier, and the word, which a phone's narrow header leaves to screen readers. */
const SEARCH_LABEL = html`${icon('search')}<span class="nav-search-label">Search</span>`;

function navLink(href: string, label: string | SafeHtml, current: boolean, extraClass = ''): SafeHtml {
  return html`<a href="${href}" class="nav-link${extraClass}"${current ? html` aria-current="page"` : ''}>${label}</a>`;
}

/** "Notifications" with the unread count as a badge; screen readers hear "Notifications, 3 unread". */
function notificationsLink(page: PageContext): SafeHtml {
  const n = page.unread ?? 0;
  const shown = n >= UNREAD_CAP ? `${UNREAD_CAP - 1}+` : String(n);
  const label = html`<span class="nav-label">Notifications</span>${
    n > 0 ? html`<span class="nav-badge" aria-hidden="true">${shown}</span><span class="visually-hidden">, ${shown} unread</span>` : ''
  }`;
  return navLink('/notifications', label, page.current === 'notifications', ' nav-notifications');
}

/**
 * The logged-in person's menu: profile, settings, the admin page for admins, log out. A <details>
 * disclosure, so it opens without JavaScript, and the header stays one line on a phone.
 */
function accountMenu(page: PageContext, viewer: Account): SafeHtml {
  const item = (href: string, label: string, current: boolean) =>
    html`<li><a href="${href}" class="menu-item"${current ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<details class="account-menu">
        <summary class="nav-link account-menu-toggle">${avatar(viewer)}<span class="visually-hidden">Account menu</span><span class="menu-handle">@${viewer.username}</span></summary>
        <ul class="menu-panel">
          ${item(profilePath(viewer.username), 'Profile', page.current === 'profile')}
          ${item('/settings/profile', 'Edit profile', page.current === 'edit_profile')}
          ${item('/bookmarks', 'Bookmarks', page.current === 'bookmarks')}
          ${item('/favourites', 'Favourites', page.current === 'favourites')}
          ${item('/settings', 'Settings', page.current === 'settings')}
          ${item('/settings/apps', 'Authorized apps', false)}
          ${viewer.isAdmin ? item('/admin/jobs', 'Jobs and storage', page.current === 'admin') : ''}
          ${page.csrfToken ? html`<li><form method="post" action="/auth/sign_out" class="inline-form">
            <input type="hidden" name="_csrf" value="${page.csrfToken}">
            <button type="submit" class="menu-item as-link">Log out</button>
          </form></li>` : ''}
        </ul>
      </details>`;
}

/** The frame of every page: header with navigation, main content, footer. */
export function layout(page: PageContext, options: LayoutOptions): SafeHtml {
  const viewer = page.viewer;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Pipit</title>
<meta name="description" content="${options.description ?? 'Pipit — short posts from people you like.'}">
<meta name="color-scheme" content="light dark">
<link rel="stylesheet" href="/assets/style.css">
<link rel="icon" href="/assets/pipit.svg" type="image/svg+xml">
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
  <div class="site-header-inner">
    <a href="/" class="brand" aria-label="Pipit home"><img src="/assets/pipit.svg" alt="" width="28" height="28"><span>Pipit</span></a>
    <nav aria-label="Main">
      ${navLink('/', 'Home', page.current === 'home')}
      ${navLink('/search', SEARCH_LABEL, page.current === 'search', ' nav-search')}
      ${
        viewer
          ? html`${notificationsLink(page)}
      ${accountMenu(page, viewer)}`
          : html`${navLink('/auth/sign_in', 'Log in', page.current === 'sign_in')}
      <a href="/auth/sign_up" class="button button-small"${page.current === 'sign_up' ? html` aria-current="page"` : ''}>Sign up</a>`
      }
    </nav>
  </div>
</header>
<main id="main" class="container" tabindex="-1">
${options.body}
</main>
<footer class="site-footer">
  <p>Pipit · a small, fast microblog · <a href="/about">About</a> · <a href="/about/stats">Statistics</a></p>
</footer>
</body>
</html>`;
}
