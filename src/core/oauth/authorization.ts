import type { CoreContext } from '../context.ts';
import { DEFAULT_SCOPES, joinScopes, scopesWithin } from '../domain/oauth-scopes.ts';
import { OOB_REDIRECT_URI } from '../domain/redirect-uris.ts';
import { parseRequestedScopes, findApp, type OAuthApp } from './applications.ts';
import { OAuthError, type OAuthErrorCode } from './oauth-error.ts';
import { digest, newSecret } from './secrets.ts';

// GET /oauth/authorize in two steps: first make sure the client and its redirect URI are genuine
// (otherwise nothing may be sent to that URI: an HTML error page instead), then check the rest of the
// request, whose errors do go back to the client through its redirect URI (RFC 6749 §4.1.2.1).

/** Codes live ten minutes (Doorkeeper's default, which Mastodon keeps). */
export const CODE_LIFETIME_MS = 10 * 60 * 1000;
export const MAX_STATE_LENGTH = 2000;
// RFC 7636: an S256 challenge is the base64url of a SHA-256, 43 characters; verifiers are 43–128.
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** The parameters of an authorization request as they arrived (query or consent form). */
export interface AuthorizationInput {
  clientId?: unknown;
  redirectUri?: unknown;
  responseType?: unknown;
  scope?: unknown;
  state?: unknown;
  codeChallenge?: unknown;
  codeChallengeMethod?: unknown;
}

/** A checked authorization request: what the consent page shows and what approving it issues. */
export interface AuthorizationRequest {
  app: OAuthApp;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | undefined;
}

/** A refusal that is sent back to the client through its (verified) redirect URI. */
export class AuthorizationRefused extends OAuthError {
  override name = 'AuthorizationRefused';
  readonly redirectUri: string;
  readonly state: string | undefined;
  constructor(code: OAuthErrorCode, message: string, redirectUri: string, state: string | undefined) {
    super(code, message);
    this.redirectUri = redirectUri;
    this.state = state;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Checks an authorization request. Throws OAuthError (`invalid_client`, `invalid_request`) when the
 * client or redirect URI cannot be trusted, and AuthorizationRefused for errors to send back to it.
 */
export async function validateAuthorizationRequest(ctx: CoreContext, input: AuthorizationInput): Promise<AuthorizationRequest> {
  const clientId = text(input.clientId);
  const app = clientId ? await findApp(ctx, clientId) : undefined;
  if (!app) throw new OAuthError('invalid_client', 'The app asking for access is unknown to this server: its client_id is missing or wrong.');
  if (input.redirectUri !== undefined && typeof input.redirectUri !== 'string') {
    throw new OAuthError('invalid_request', 'redirect_uri must be given once, as a single string.');
  }
  const given = text(input.redirectUri);
  // Without one, the app's only registered URI is meant (RFC 6749 §3.1.2.3); with several it must be said.
  const redirectUri = given ?? (app.redirectUris.length === 1 ? app.redirectUris[0] : undefined);
  // Exact comparison, character for character: no normalisation that an attacker could play with.
  if (redirectUri === undefined || !app.redirectUris.includes(redirectUri)) {
    throw new OAuthError('invalid_request', 'The redirect URI in the request is not one the app registered, so Pipit will not send anything there.');
  }
  const rawState = typeof input.state === 'string' ? input.state : undefined;
  const state = rawState !== undefined && rawState.length <= MAX_STATE_LENGTH ? rawState : undefined;
  const refuse = (code: OAuthErrorCode, message: string) => new AuthorizationRefused(code, message, redirectUri, state);
  if (rawState !== undefined && state === undefined) throw refuse('invalid_request', `The state parameter is longer than ${MAX_STATE_LENGTH} characters.`);
  if (input.state !== undefined && typeof input.state !== 'string') throw refuse('invalid_request', 'The state parameter must be a single string.');
  if (input.responseType !== 'code') throw refuse('unsupported_response_type', 'Only response_type=code is supported.');
  const problems: string[] = [];
  const scopes = parseRequestedScopes(input.scope, problems) ?? [...DEFAULT_SCOPES];
  if (problems.length > 0) throw refuse('invalid_scope', problems.join(', '));
  if (!scopesWithin(app.scopes, scopes)) throw refuse('invalid_scope', `The requested scope is invalid, unknown, or malformed: the app registered only "${joinScopes(app.scopes)}".`);
  const codeChallenge = text(input.codeChallenge);
  const method = text(input.codeChallengeMethod);
  if (codeChallenge === undefined && method !== undefined) throw refuse('invalid_request', 'code_challenge_method was given without a code_challenge.');
  if (codeChallenge !== undefined) {
    if (method !== 'S256') throw refuse('invalid_request', 'Only code_challenge_method=S256 is supported (plain is not).');
    if (!CODE_CHALLENGE.test(codeChallenge)) throw refuse('invalid_request', 'code_challenge must be the base64url SHA-256 of the verifier: 43 characters.');
  }
  return { app, redirectUri, scopes, state, codeChallenge };
}

/** Whether the code should be shown on a page rather than sent to a redirect URI. */
export function isOutOfBand(redirectUri: string): boolean {
  return redirectUri === OOB_REDIRECT_URI;
}

/** Issues a single-use authorization code for a request the account approved; returns it (in clear, once). */
export async function issueAuthorizationCode(ctx: CoreContext, accountId: string, request: AuthorizationRequest): Promise<string> {
  const code = newSecret();
  await ctx.db
    .insertInto('oauth_authorization_codes')
    .values({
      code_hash: digest(code),
      application_id: request.app.id,
      account_id: accountId,
      redirect_uri: request.redirectUri,
      scopes: joinScopes(request.scopes),
      code_challenge: request.codeChallenge ?? null,
      code_challenge_method: request.codeChallenge ? 'S256' : null,
      expires_at: new Date(Date.now() + CODE_LIFETIME_MS),
    })
    .execute();
  return code;
}
