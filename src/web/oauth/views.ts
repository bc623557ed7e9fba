import { joinScopes, type AuthorizationRequest } from '../../core/index.ts';
import { csrfField } from '../html/views/components.ts';
import { html, type SafeHtml } from '../html/views/html.ts';
import { layout, type PageContext } from '../html/views/layout.ts';
import { describeScope } from './scope-words.ts';

// The pages of GET /oauth/authorize: consent, the code for out-of-band apps, and refusals.

function appLine(request: AuthorizationRequest): SafeHtml {
  const { app } = request;
  return app.website
    ? html`<a href="${app.website}" rel="noopener noreferrer nofollow">${app.name}</a>`
    : html`<strong>${app.name}</strong>`;
}

/** Asks the logged-in person whether the app may act for them, listing what it asks for in words. */
export function consentPage(page: PageContext, request: AuthorizationRequest): SafeHtml {
  const viewer = page.viewer!;
  const hidden = {
    response_type: 'code',
    client_id: request.app.clientId,
    redirect_uri: request.redirectUri,
    scope: joinScopes(request.scopes),
    state: request.state,
    code_challenge: request.codeChallenge,
    code_challenge_method: request.codeChallenge ? 'S256' : undefined,
  };
  return layout(page, {
    title: `Authorize ${request.app.name}`,
    body: html`<section class="auth-card oauth-consent" aria-labelledby="consent-title">
  <h1 id="consent-title">Authorize ${request.app.name}?</h1>
  <p class="lead">${appLine(request)} wants to use your Pipit account <strong>@${viewer.username}</strong>.
    ${request.app.website ? html`Its website: <span class="oauth-website">${request.app.website}</span>` : 'It gave no website.'}</p>
  <h2 class="oauth-scopes-title">It will be able to:</h2>
  <ul class="oauth-scopes">
    ${request.scopes.map((s) => html`<li>${describeScope(s)} <code>${s}</code></li>`)}
  </ul>
  <p class="hint">You can revoke its access at any time in <a href="/settings/apps">Authorized apps</a>.</p>
  <form method="post" action="/oauth/authorize" class="confirm-actions">
    ${csrfField(page)}
    ${Object.entries(hidden).map(([name, value]) => (value === undefined ? '' : html`<input type="hidden" name="${name}" value="${value}">`))}
    <button type="submit" name="decision" value="approve" class="button">Authorize</button>
    <button type="submit" name="decision" value="deny" class="button button-secondary">Deny</button>
  </form>
</section>`,
  });
}

/** The code for an app that asked for it out of band (`urn:ietf:wg:oauth:2.0:oob`): to copy into the app. */
export function outOfBandCodePage(page: PageContext, appName: string, code: string): SafeHtml {
  return layout(page, {
    title: 'Authorization code',
    body: html`<section class="auth-card" aria-labelledby="code-title">
  <h1 id="code-title">Your authorization code</h1>
  <p class="lead">Copy this code and paste it into ${appName}. It works once, within 10 minutes.</p>
  <div class="field">
    <label for="oauth-code">Authorization code</label>
    <input id="oauth-code" name="code" type="text" value="${code}" readonly autocomplete="off" spellcheck="false" class="oauth-code">
  </div>
</section>`,
  });
}

/** An out-of-band app's request that was refused: nowhere to redirect, so the reason goes on a page. */
export function outOfBandRefusalPage(page: PageContext, error: string, description: string): SafeHtml {
  return layout(page, {
    title: 'Authorization refused',
    body: html`<section class="auth-card" aria-labelledby="refused-title">
  <h1 id="refused-title">Authorization refused</h1>
  <p class="lead">${description}</p>
  <p>Error code for the app: <code>${error}</code></p>
</section>`,
  });
}
