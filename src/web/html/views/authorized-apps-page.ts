import type { AuthorizedApp } from '../../../core/index.ts';
import { describeScope } from '../../oauth/scope-words.ts';
import { csrfField } from './components.ts';
import { fullTime } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';

/** `/settings/apps`: the apps that hold tokens for this account, each with a Revoke button. */
export function authorizedAppsPage(page: PageContext, apps: AuthorizedApp[], options: { revoked?: boolean } = {}): SafeHtml {
  return layout(page, {
    title: 'Authorized apps',
    body: html`<section class="auth-card settings-card" aria-labelledby="apps-title">
  <h1 id="apps-title">Authorized apps</h1>
  <p class="lead">Apps you allowed to use your account. Revoking one logs it out at once.</p>
  ${options.revoked ? html`<div class="alert alert-success" role="status">Access revoked.</div>` : ''}
  ${
    apps.length === 0
      ? html`<p class="empty">No app has access to your account.</p>`
      : html`<ul class="authorized-apps">${apps.map(
          (a) => html`<li class="authorized-app">
    <h2>${a.website ? html`<a href="${a.website}" rel="noopener noreferrer nofollow">${a.name}</a>` : a.name}</h2>
    <p class="hint">Can: ${a.scopes.map((s, i) => html`${i > 0 ? '; ' : ''}<span title="${s}">${describeScope(s)}</span>`)}</p>
    <p class="hint">Authorized <time datetime="${a.authorizedAt.toISOString()}">${fullTime(a.authorizedAt)}</time> · ${
      a.lastUsedAt ? html`last used <time datetime="${a.lastUsedAt.toISOString()}">${fullTime(a.lastUsedAt)}</time>` : 'never used'
    }</p>
    <form method="post" action="/settings/apps/${a.appId}/revoke" class="inline-form">
      ${csrfField(page)}
      <button type="submit" class="button button-secondary button-small" aria-label="Revoke access of ${a.name}">Revoke</button>
    </form>
  </li>`,
        )}</ul>`
  }
  <p class="hint"><a href="/settings">Back to settings</a></p>
</section>`,
  });
}
