import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { scopeAllows, type Account, type Core, type OAuthApp, type RateLimited, type RateRule, type RateState } from '../../core/index.ts';

// Bearer tokens for the API (and the OAuth scope's own token-protected routes). A hook reads the token
// from `Authorization: Bearer …` or `?access_token=…` and resolves it once per request; routes then
// say what they need with `requireScope(…)` as a preHandler. The refusals are Mastodon's, word for word,
// since clients match on them.

/** What a valid token lets the request act as. */
export interface RequestToken {
  /** The user the token was issued to; `null` for an app token (client_credentials). */
  account: Account | null;
  app: OAuthApp;
  scopes: readonly string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's bearer token, resolved; `null` when none was sent or it is invalid or revoked. */
    token: RequestToken | null;
    /** A token was sent (valid or not): an invalid one is refused even on routes open to anonymous callers. */
    tokenSent: boolean;
    /** Where the call left its valid token's rate limit, when the lookup counted it (BearerOptions). */
    tokenRate: RateState | RateLimited | null;
  }
}

export interface BearerOptions {
  /**
   * Count each call a valid token authenticates against this rule, for the subject `subjectOf(token)`,
   * in the same statement as the token's lookup (the API's rate limit: rate-limit.ts reads `tokenRate`).
   */
  rateLimit?: { rule: RateRule; subjectOf(token: string): string };
}

export const INVALID_TOKEN = 'The access token is invalid';
export const OUTSIDE_SCOPES = 'This action is outside the authorized scopes';
export const USER_REQUIRED = 'This method requires an authenticated user';

const MAX_TOKEN_LENGTH = 200;

/** The token a request carries, from the Authorization header first, else `?access_token=`. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match) return match[1]!.slice(0, MAX_TOKEN_LENGTH);
  }
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.access_token;
  return typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery.slice(0, MAX_TOKEN_LENGTH) : undefined;
}

/**
 * Decorates requests with `token` and resolves it in an onRequest hook, for every route of the scope
 * it is registered in. Call once per encapsulated scope: `registerBearerAuthentication(scope, core)`.
 */
export function registerBearerAuthentication(app: FastifyInstance, core: Core, options: BearerOptions = {}): void {
  if (!app.hasRequestDecorator('token')) app.decorateRequest('token', null);
  if (!app.hasRequestDecorator('tokenSent')) app.decorateRequest('tokenSent', false);
  if (!app.hasRequestDecorator('tokenRate')) app.decorateRequest('tokenRate', null);
  const { rateLimit } = options;
  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request);
    if (token === undefined) return;
    request.tokenSent = true;
    let owner;
    // A preflight is not counted (rate-limit.ts), even if its address carries a token.
    if (rateLimit && request.method !== 'OPTIONS') {
      const counted = await core.oauth.authenticateTokenCounting(token, rateLimit.rule, rateLimit.subjectOf(token));
      owner = counted?.owner ?? null;
      request.tokenRate = counted?.rate ?? null;
    } else {
      owner = await core.oauth.authenticateToken(token);
    }
    request.token = owner && { account: owner.account, app: owner.app, scopes: owner.scopes };
  });
}

function refuse(reply: FastifyReply, status: number, error: string): FastifyReply {
  if (status === 401) reply.header('WWW-Authenticate', `Bearer error="invalid_token", error_description="${error}"`);
  return reply.code(status).header('Cache-Control', 'no-store').send({ error });
}

/**
 * What a guard asks of a request, kept beside the guard so the API description (docs/openapi.ts)
 * states each route's security from the very function that enforces it, and cannot drift from it.
 */
export interface AccessRule {
  /** Whether a caller without a token is let through. */
  anonymous: boolean;
  /** Scopes of which the token needs one (the hierarchy applies); empty: any valid token. */
  anyOf: readonly string[];
  /** An app token (client_credentials) is refused: the route acts for a user. */
  user: boolean;
}

const ACCESS_RULES = new WeakMap<object, AccessRule>();

function withRule<T extends object>(guard: T, rule: AccessRule): T {
  ACCESS_RULES.set(guard, rule);
  return guard;
}

/** The rule of a route's guard among its preHandlers, if it has one of this file's guards. */
export function accessRuleOf(preHandler: unknown): AccessRule | undefined {
  const handlers = Array.isArray(preHandler) ? preHandler : [preHandler];
  for (const handler of handlers) {
    const rule = typeof handler === 'function' ? ACCESS_RULES.get(handler) : undefined;
    if (rule) return rule;
  }
  return undefined;
}

export interface RequireScopeOptions {
  /** The route acts for a user: an app token (client_credentials) gets 422. */
  user?: boolean;
}

/**
 * A preHandler that lets the request through only with a valid token holding `scope` (or one of the
 * scopes of a list: any suffices; the hierarchy applies, `read` covers `read:statuses`).
 * No or bad token → 401, scope missing → 403, app token where a user is needed → 422.
 */
export function requireScope(scope: string | readonly string[], options: RequireScopeOptions = {}): preHandlerAsyncHookHandler {
  const anyOf = typeof scope === 'string' ? [scope] : scope;
  return withRule(
    async function requireScopeHandler(request, reply) {
      const token = request.token;
      if (!token) return refuse(reply, 401, INVALID_TOKEN);
      if (anyOf.length > 0 && !anyOf.some((s) => scopeAllows(token.scopes, s))) return refuse(reply, 403, OUTSIDE_SCOPES);
      if (options.user && token.account === null) return refuse(reply, 422, USER_REQUIRED);
    } satisfies preHandlerAsyncHookHandler,
    { anonymous: false, anyOf, user: options.user ?? false },
  );
}

/** A preHandler for routes any valid token may use, whatever its scopes (apps/verify_credentials). */
export function requireToken(options: RequireScopeOptions = {}): preHandlerAsyncHookHandler {
  return requireScope([], options);
}

/**
 * A preHandler for routes open to anonymous callers: no token is fine, but a token that was sent and
 * is invalid or revoked gets 401, as on Mastodon (a client must learn its token is dead).
 */
export function optionalToken(): preHandlerAsyncHookHandler {
  return withRule(
    async function optionalTokenHandler(request, reply) {
      if (request.tokenSent && !request.token) return refuse(reply, 401, INVALID_TOKEN);
    } satisfies preHandlerAsyncHookHandler,
    { anonymous: true, anyOf: [], user: false },
  );
}

/**
 * A preHandler for public routes that read with a token when one comes (Mastodon's
 * `authorize_if_got_token!`): no token is fine; an invalid one is 401; a valid one without `scope` is 403.
 */
export function optionalScope(scope: string | readonly string[]): preHandlerAsyncHookHandler {
  const anyOf = typeof scope === 'string' ? [scope] : scope;
  return withRule(
    async function optionalScopeHandler(request, reply) {
      if (request.tokenSent && !request.token) return refuse(reply, 401, INVALID_TOKEN);
      const token = request.token;
      if (token && !anyOf.some((s) => scopeAllows(token.scopes, s))) return refuse(reply, 403, OUTSIDE_SCOPES);
    } satisfies preHandlerAsyncHookHandler,
    { anonymous: true, anyOf, user: false },
  );
}
