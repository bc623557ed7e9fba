import type { Account } from '../../core/index.ts';
import { html, type SafeHtml } from './html.ts';

export interface PageContext {
  /** The logged-in account, if any. */
  viewer: Account | undefined;
  /** The CSRF token for this response's forms. */
  csrfToken: string;
  /** Which nav entry is current. */
  current?: 'home' | 'profile' | 'sign_in' | 'sign_up' | undefined;
}

export interface LayoutOptions {
  title: string;
  description?: string;
  body: SafeHtml;
}

function navLink(href: string, label: string, current: boolean): SafeHtml {
  return html`<a href="${href}" class="nav-link"${current ? html` aria-current="page"` : ''}>${label}</a>`;
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
      ${
        viewer
          ? html`${navLink('/notifications', 'Notifications', false)}
      ${navLink(`/@${viewer.username}`, 'Profile', page.current === 'profile')}
      ${page.csrfToken ? html`<form method="post" action="/auth/sign_out" class="inline-form">
        <input type="hidden" name="_csrf" value="${page.csrfToken}">
        <button type="submit" class="nav-link as-link">Log out</button>
      </form>` : ''}`
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
