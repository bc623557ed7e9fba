import swagger, { type SwaggerTransformObject } from '@fastify/swagger';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { KNOWN_SCOPES, PIPIT_VERSION, type Config } from '../../../core/index.ts';
import { describeScope } from '../../oauth/scope-words.ts';
import { accessRuleOf, type AccessRule } from '../authenticate.ts';
import { API_TAGS } from './describe.ts';

// The OpenAPI 3 description of the API (served at /api/docs/json, browsed at /api/docs: docs-scope.ts),
// generated from the routes' own schemas by @fastify/swagger, which collects every route as it is
// registered (so it is registered at the root, before the scopes). It describes what clients call: the
// Mastodon API (/api/v1, /api/v2, /api/pipit), the OAuth endpoints (/oauth, /api/v1/apps) and the
// discovery documents (/.well-known, /nodeinfo); the website, assets and ops routes are left out.
// Each operation's security is read from the guard its route runs (authenticate.ts), so the description
// says what is enforced and cannot drift from it.

/** The paths clients call; everything else (the website, /assets, /livez, /metrics) is not described. */
const DESCRIBED = [/^\/api\/(?!docs(?:\/|$))/, /^\/oauth\//, /^\/\.well-known\//, /^\/nodeinfo\//];

/** The content types every API body may come in (body-parsing.ts). */
const BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];

export const OAUTH_SCHEME = 'OAuth2';

/** Whether the API description covers a route (OPTIONS are CORS preflights, not operations). */
export function isDescribed(method: string, url: string): boolean {
  return method !== 'OPTIONS' && method !== 'HEAD' && DESCRIBED.some((pattern) => pattern.test(url));
}

/** The OpenAPI security requirement of a guard: alternatives, `{}` meaning no token at all. */
function securityOf(rule: AccessRule): Record<string, string[]>[] {
  const withToken = rule.anyOf.length > 0 ? rule.anyOf.map((scope) => ({ [OAUTH_SCHEME]: [scope] })) : [{ [OAUTH_SCHEME]: [] }];
  return rule.anonymous ? [{}, ...withToken] : withToken;
}

/** The guard in words, for the operation's description. */
function accessText(rule: AccessRule): string {
  const scopes = rule.anyOf.length > 0 ? `a token with ${rule.anyOf.map((s) => `\`${s}\``).join(' or ')} (or a broader scope covering it)` : 'any valid token';
  if (rule.anonymous) {
    return `Open without a token; ${rule.anyOf.length > 0 ? `with one, it needs ${rule.anyOf.map((s) => `\`${s}\``).join(' or ')} (401 when invalid, 403 when outside its scopes).` : 'a token sent must be valid (401 otherwise).'}`;
  }
  return `Needs ${scopes}${rule.user ? ', issued to a user (an app token gets 422)' : ''}.`;
}

const errorSchema = {
  type: 'object',
  description: 'An error: `error` says what went wrong (Mastodon’s wording where clients know it); OAuth endpoints add `error_description`.',
  properties: { error: { type: 'string' }, error_description: { type: 'string' } },
  required: ['error'],
};

/** @fastify/swagger's per-route transform: hides what is not the API, adds security and common answers. */
function describeRoute({ schema, url, route }: { schema: FastifySchema | undefined; url: string; route: RouteOptions }) {
  const methods = typeof route.method === 'string' ? [route.method] : route.method;
  if (!methods.some((m) => isDescribed(m, url))) return { schema: { ...schema, hide: true }, url };
  const described: Record<string, unknown> = { ...schema };
  const rule = accessRuleOf(route.preHandler);
  if (rule && described.security === undefined) {
    described.security = securityOf(rule);
    described.description = [described.description, accessText(rule)].filter(Boolean).join('\n\n');
  }
  if (described.body !== undefined && described.consumes === undefined) described.consumes = BODY_TYPES;
  const response = (described.response ?? {}) as Record<string, unknown>;
  described.response = { ...response, ...(response['4xx'] || response['4XX'] ? {} : { '4XX': errorSchema }) };
  return { schema: described, url };
}

/** The finished document: no request body is required (every endpoint takes an empty one, or the query). */
const finish: SwaggerTransformObject = (document) => {
  const object = 'openapiObject' in document ? document.openapiObject : document.swaggerObject;
  const paths = (object.paths ?? {}) as Record<string, Record<string, { requestBody?: { required?: boolean } }>>;
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) if (op.requestBody) op.requestBody.required = false;
  }
  return object;
};

/** Registers @fastify/swagger on the root: call before any scope registers its routes. */
export async function registerOpenApi(app: FastifyInstance, config: Config): Promise<void> {
  const base = config.publicUrl;
  const scopes = Object.fromEntries(KNOWN_SCOPES.map((s) => [s, describeScope(s)]));
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Pipit API',
        version: PIPIT_VERSION,
        description:
          'The Mastodon client API as Pipit implements it, with its OAuth 2.0 endpoints and discovery documents. ' +
          'Parameters come as JSON, a form or multipart (Rails brackets: `types[]=…`), or in the query string; ' +
          'booleans may be written true/false, 1/0, on/off. Ids are strings of digits. Lists page with `max_id`, ' +
          '`since_id`, `min_id` and `limit`, and link their neighbours in the `Link` header.',
      },
      servers: [{ url: base }],
      tags: API_TAGS.map((t) => ({ ...t })),
      components: {
        securitySchemes: {
          [OAUTH_SCHEME]: {
            type: 'oauth2',
            description:
              'Register an app (POST /api/v1/apps), send the user to /oauth/authorize, exchange the code at /oauth/token (PKCE with S256 is supported), ' +
              'then send `Authorization: Bearer <token>`. Scopes are hierarchical: `read` covers every `read:…`.',
            flows: {
              authorizationCode: { authorizationUrl: `${base}/oauth/authorize`, tokenUrl: `${base}/oauth/token`, scopes },
              clientCredentials: { tokenUrl: `${base}/oauth/token`, scopes },
            },
          },
          ClientSecretBasic: { type: 'http', scheme: 'basic', description: 'The app’s client_id and client_secret (or send them in the body).' },
        },
      },
    },
    // Shared schemas (serializers/entities.ts) appear under their own names.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: describeRoute,
    transformObject: finish,
  });
}
