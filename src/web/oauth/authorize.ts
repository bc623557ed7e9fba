import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizationRefused, isOutOfBand, OAuthError, withQueryParameters, type AuthorizationRequest, type Core } from '../../core/index.ts';
import { signInPage } from '../html/views/auth-pages.ts';
import { pageContext, sendPage } from '../html/views/page-context.ts';
import { errorPage } from '../html/views/pages.ts';
import { booleanParameter, parametersOf, type Parameters } from './parameters.ts';
import { consentPage, outOfBandCodePage, outOfBandRefusalPage } from './views.ts';
import { describe, flag, text } from '../api/docs/describe.ts';
import { documentationOnly } from '../api/docs/documentation-only.ts';

// GET /oauth/authorize: the website's login (the session cookie), then a consent page; POST (the
// consent form, with CSRF) answers the app. A request whose client or redirect URI cannot be trusted
// gets an error page: nothing is ever sent to a URI the app did not register.

function authorizationInput(p: Parameters) {
  return {
    clientId: p.client_id,
    redirectUri: p.redirect_uri,
    responseType: p.response_type,
    scope: p.scope,
    state: p.state,
    codeChallenge: p.code_challenge,
    codeChallengeMethod: p.code_challenge_method,
  };
}

/** Where to come back after logging in: this same request, without `force_login` (or it would loop). */
function returnPath(request: FastifyRequest): string {
  const url = new URL(request.url, 'http://pipit.invalid');
  url.searchParams.delete('force_login');
  return `${url.pathname}${url.search}`;
}

/**
 * The consent form posts here and the browser then follows our redirect to the app's URI, which may
 * be another site or a custom scheme: browsers apply the page's CSP `form-action` to that redirect,
 * so the consent page allows exactly that one destination besides 'self'.
 */
function allowFormRedirectTo(reply: FastifyReply, redirectUri: string): void {
  const csp = reply.getHeader('content-security-policy');
  if (typeof csp !== 'string' || isOutOfBand(redirectUri)) return;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(redirectUri)![1]!.toLowerCase();
  const source = scheme === 'http' || scheme === 'https' ? new URL(redirectUri).origin : `${scheme}:`;
  reply.header('Content-Security-Policy', csp.replace("form-action 'self'", `form-action 'self' ${source}`));
}

const AUTHORIZATION_QUERY = {
  response_type: text('Always `code`.', { enum: ['code'] }),
  client_id: text('The app’s client_id.'),
  redirect_uri: text('One of the app’s registered redirect URIs, exactly.'),
  scope: text('The scopes asked for, space-separated (default `read`); within the app’s own.'),
  state: text('Sent back with the code, unchanged.'),
  code_challenge: text('PKCE: the S256 challenge of the app’s verifier.'),
  code_challenge_method: text('PKCE: `S256`.', { enum: ['S256'] }),
  force_login: flag('Show the sign-in form even when someone is signed in'),
};

const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });

/**
 * The API description's view of these two pages (api/docs/openapi.ts). They sit in the website's scope,
 * so each route opts out of Fastify's validation itself: the parameters are read as OAuth clients send
 * them (parameters.ts), and the schema only documents them (api/docs/documentation-only.ts).
 */
const AUTHORIZE_DOCS = {
  validatorCompiler: documentationOnly,
  schema: {
    ...describe('OAuth', 'Ask the user to authorize an app (a page: open it in the browser)', {
      query: AUTHORIZATION_QUERY,
      required: ['response_type', 'client_id', 'redirect_uri'],
      description: 'The website’s sign-in when needed, then a consent page naming the app and the scopes. The decision sends the browser to the redirect URI with `code` and `state` (or `error`); the out-of-band URI shows the code on a page instead.',
    }),
    response: {
      200: html('The sign-in or consent page (or, out of band, the code).'),
      302: { description: 'To the redirect URI with the code, or to the sign-in page.', type: 'null' },
      '4XX': html('An error page, when the client or its redirect URI cannot be trusted (nothing is sent to the app then).'),
    },
  },
};
const CONSENT_DOCS = {
  validatorCompiler: documentationOnly,
  schema: {
    ...describe('OAuth', 'The consent page’s decision (the website’s own form, with its CSRF token: not for apps)', {
      body: { ...AUTHORIZATION_QUERY, decision: text('The button pressed.', { enum: ['approve', 'deny'] }) },
      required: ['decision'],
    }),
    consumes: ['application/x-www-form-urlencoded'],
    response: {
      200: html('Out of band: the code on a page.'),
      302: { description: 'To the redirect URI with the code or the refusal.', type: 'null' },
      '4XX': html('An error page (a request that cannot be trusted, or a form without its CSRF token).'),
    },
  },
};

export function registerAuthorize(app: FastifyInstance, core: Core): void {
  const untrusted = (request: FastifyRequest, reply: FastifyReply, error: OAuthError) =>
    sendPage(
      reply,
      errorPage(
        { viewer: request.account, csrfToken: '', unread: request.unreadNotifications },
        { status: 400, title: 'This authorization request is not valid', message: `${error.message} Please tell the app's developers.`, requestId: String(request.id) },
      ),
      400,
    );

  /** Answers a refusal: an error page for an untrusted request, otherwise back to the app. */
  const refuse = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    if (error instanceof AuthorizationRefused) {
      request.log.info({ oauthError: error.code }, error.message);
      if (isOutOfBand(error.redirectUri)) return sendPage(reply, outOfBandRefusalPage(pageContext(request, reply), error.code, error.message), 400);
      return reply.redirect(withQueryParameters(error.redirectUri, { error: error.code, error_description: error.message, state: error.state }), 302);
    }
    if (error instanceof OAuthError) {
      request.log.info({ oauthError: error.code }, error.message);
      return untrusted(request, reply, error);
    }
    throw error;
  };

  /** The request's authorization, checked; `null` once it was refused (the answer is then sent). */
  const validated = async (request: FastifyRequest, reply: FastifyReply, p: Parameters): Promise<AuthorizationRequest | null> => {
    try {
      return await core.oauth.validateAuthorizationRequest(authorizationInput(p));
    } catch (error) {
      await refuse(request, reply, error);
      return null;
    }
  };

  const approveOrDeny = async (request: FastifyRequest, reply: FastifyReply, auth: AuthorizationRequest, approved: boolean) => {
    if (!approved) {
      return refuse(request, reply, new AuthorizationRefused('access_denied', 'The person denied the request.', auth.redirectUri, auth.state));
    }
    const code = await core.oauth.issueAuthorizationCode(request.account!.id, auth);
    request.log.info({ appId: auth.app.id, scopes: auth.scopes.join(' ') }, 'oauth authorization approved');
    if (isOutOfBand(auth.redirectUri)) return sendPage(reply.header('Cache-Control', 'no-store'), outOfBandCodePage(pageContext(request, reply), auth.app.name, code));
    return reply.redirect(withQueryParameters(auth.redirectUri, { code, state: auth.state }), 302);
  };

  app.get('/oauth/authorize', AUTHORIZE_DOCS, async (request, reply) => {
    const p = parametersOf(request);
    const auth = await validated(request, reply, p);
    if (!auth) return reply;
    const back = returnPath(request);
    if (request.account && booleanParameter(p, 'force_login')) {
      // Logging in again (another account, as clients offer): the sign-in form, even with a session.
      return sendPage(reply, signInPage({ ...pageContext(request, reply, { forms: true }), viewer: undefined }, { returnTo: back }));
    }
    if (!request.account) return reply.redirect(`/auth/sign_in?return_to=${encodeURIComponent(back)}`, 302);
    // Approved before, for exactly these scopes, and not revoked since: no need to ask again (Mastodon).
    if (await core.oauth.hasMatchingAuthorization(request.account.id, auth.app.id, auth.scopes)) return approveOrDeny(request, reply, auth, true);
    allowFormRedirectTo(reply, auth.redirectUri);
    return sendPage(reply, consentPage(pageContext(request, reply), auth));
  });

  app.post('/oauth/authorize', { ...CONSENT_DOCS, preHandler: app.csrfProtection }, async (request, reply) => {
    const p = parametersOf(request);
    const auth = await validated(request, reply, p);
    if (!auth) return reply;
    // The session may have ended since the page was shown: log in again, then decide again.
    if (!request.account) {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(authorizationInput(p))) if (typeof v === 'string') query.set(k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v);
      return reply.redirect(`/auth/sign_in?return_to=${encodeURIComponent(`/oauth/authorize?${query}`)}`, 303);
    }
    const decision = p.decision;
    if (decision !== 'approve' && decision !== 'deny') {
      return untrusted(request, reply, new OAuthError('invalid_request', 'The consent form was sent without a decision (Authorize or Deny).'));
    }
    return approveOrDeny(request, reply, auth, decision === 'approve');
  });
}
