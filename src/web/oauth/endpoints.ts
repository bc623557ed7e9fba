import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientSubject, KNOWN_SCOPES, OAuthError, mediaUrl, profilePath, type Core } from '../../core/index.ts';
import { BODY_FORMATS_MESSAGE, registerApiBodies } from '../api/body-parsing.ts';
import { registerBearerAuthentication, requireScope, requireToken } from '../api/authenticate.ts';
import { errorHandler } from '../shared/errors.ts';
import { documentationOnly } from '../api/docs/documentation-only.ts';
import type { DescribedError } from '../shared/error-table.ts';
import { clientCredentials, parametersOf, stringParameter } from './parameters.ts';
import { applicationSchema, credentialApplicationSchema, toApplication, toCredentialApplication, toToken, tokenSchema } from './serializers.ts';
import { describe, text } from '../api/docs/describe.ts';
import { anyObject, arr, obj, str } from '../api/serializers/schema.ts';

// The JSON side of the authorization server: app registration, token, revocation, metadata, userinfo.
// Browser clients (Phanpy, Elk) call these from other origins: CORS `*`, and the website's cross-site
// guard steps aside (`crossSite: 'allowed'`), since the client's credentials decide, not a cookie.

const CROSS_SITE = { config: { crossSite: 'allowed' as const } };

/** Client authentication at the token and revocation endpoints: HTTP Basic, or client_id and client_secret in the body. */
const CLIENT_AUTH: Record<string, string[]>[] = [{ ClientSecretBasic: [] }, {}];
const CLIENT_FIELDS = { client_id: text('The app’s client_id (or use HTTP Basic).'), client_secret: text('The app’s client_secret (or use HTTP Basic).') };

const REGISTER = describe('OAuth', 'Register an app', {
  description: 'Answers the app with its client_id and client_secret (kept by the app: they are shown once).',
  body: {
    client_name: text('The app’s name, shown on the consent page.'),
    redirect_uris: text('Where codes are sent: one URI, several (a newline-separated string or an array), any custom scheme, or `urn:ietf:wg:oauth:2.0:oob` to show the code on a page.'),
    scopes: text('The scopes the app may ask for, space-separated (default `read`).'),
    website: text('The app’s website.'),
  },
  required: ['client_name', 'redirect_uris'],
});

const TOKEN = describe('OAuth', 'Get a token', {
  description: 'grant_type `authorization_code` (with PKCE’s code_verifier when the authorization had a challenge) or `client_credentials` (an app token). The password grant is refused. Tokens do not expire.',
  body: {
    grant_type: text('How the token is granted.', { enum: ['authorization_code', 'client_credentials'] }),
    code: text('The code the authorization sent to the redirect URI (authorization_code).'),
    redirect_uri: text('The redirect URI the authorization used (authorization_code).'),
    code_verifier: text('The PKCE verifier (when the authorization had a code_challenge).'),
    scope: text('The scopes asked for (client_credentials), space-separated.'),
    ...CLIENT_FIELDS,
  },
  required: ['grant_type'],
});

const REVOKE = describe('OAuth', 'Revoke a token', { body: { token: text('The access token to revoke.'), ...CLIENT_FIELDS }, required: ['token'] });

const userinfoSchema = obj({ iss: str, sub: str, name: str, preferred_username: str, profile: str, picture: str });

const metadataSchema = obj({
  issuer: str,
  service_documentation: str,
  authorization_endpoint: str,
  token_endpoint: str,
  app_registration_endpoint: str,
  revocation_endpoint: str,
  userinfo_endpoint: str,
  scopes_supported: arr(str),
  response_types_supported: arr(str),
  response_modes_supported: arr(str),
  grant_types_supported: arr(str),
  code_challenge_methods_supported: arr(str),
  token_endpoint_auth_methods_supported: arr(str),
});

// Each group gets its own CORS plugin under its own prefix: @fastify/cors adds an `OPTIONS <prefix>/*`
// route, and a prefix nobody else uses keeps it from clashing with the API scope's own.
async function withCors(app: FastifyInstance, prefix: string, routes: (scope: FastifyInstance) => void): Promise<void> {
  await app.register(
    async (scope) => {
      await scope.register(cors, {
        origin: '*',
        methods: ['GET', 'POST', 'OPTIONS'],
        allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
        exposedHeaders: ['Link', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'X-Request-Id'],
        maxAge: 86400,
        strictPreflight: false,
      });
      // The prefix itself (`/api/v1/apps`), which `<prefix>/*` does not match.
      scope.options('', (_request, reply) => reply.code(204).send());
      routes(scope);
    },
    { prefix },
  );
}

/** OAuth endpoints answer `{error, error_description}` with RFC codes; the app registration answers Mastodon's `{error}`. */
export function renderJson(request: FastifyRequest, reply: FastifyReply, d: DescribedError, error: Error) {
  reply.code(d.status).header('Cache-Control', 'no-store');
  if (error instanceof OAuthError) {
    if (error.code === 'invalid_client' && /^Basic /i.test(request.headers.authorization ?? '')) reply.header('WWW-Authenticate', 'Basic realm="Pipit"');
    return reply.send({ error: error.code, error_description: error.message });
  }
  // These endpoints read bodies as the API does (registerApiBodies): the same formats to name.
  const message = d.status === 415 ? BODY_FORMATS_MESSAGE : d.message;
  if (request.url.startsWith('/oauth/') && d.status >= 400 && d.status < 500 && d.status !== 429) {
    return reply.send({ error: 'invalid_request', error_description: message });
  }
  return reply.send({ error: d.status === 422 ? `Validation failed: ${message}` : message });
}

/** The JSON endpoints of the OAuth scope; register inside it (see oauth/plugin.ts). */
export async function registerOAuthEndpoints(app: FastifyInstance, core: Core): Promise<void> {
  const { rules, consumeRateLimit } = core.rateLimits;
  const base = core.config.publicUrl;
  app.setErrorHandler(errorHandler(renderJson));
  // Request schemas here document parameters, they do not check them (api/docs/documentation-only.ts).
  app.setValidatorCompiler(documentationOnly);
  // Bodies as the API reads them: JSON (an empty one too), urlencoded, multipart fields, query merged in.
  await registerApiBodies(app);
  registerBearerAuthentication(app, core);

  await withCors(app, '/api/v1/apps', (scope) => {
    scope.post('', { ...CROSS_SITE, schema: { ...REGISTER, response: { 200: credentialApplicationSchema } } }, async (request) => {
      await consumeRateLimit(rules.appRegistrationsPerIp, clientSubject(request.ip));
      const p = parametersOf(request);
      const app = await core.oauth.registerApp({ clientName: p.client_name, redirectUris: p.redirect_uris, scopes: p.scopes, website: p.website });
      request.log.info({ appId: app.id }, 'oauth app registered');
      return toCredentialApplication(app);
    });
    const verify = { ...describe('OAuth', 'The app a token belongs to'), response: { 200: applicationSchema } };
    scope.get('/verify_credentials', { schema: verify, preHandler: requireToken() }, async (request) => toApplication(request.token!.app));
  });

  await withCors(app, '/oauth', (scope) => {
    scope.post('/token', { ...CROSS_SITE, schema: { ...TOKEN, security: CLIENT_AUTH, response: { 200: tokenSchema } } }, async (request, reply) => {
      await consumeRateLimit(rules.tokenRequestsPerIp, clientSubject(request.ip));
      const p = parametersOf(request);
      const grantType = stringParameter(p, 'grant_type');
      if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is missing: use authorization_code or client_credentials.');
      if (grantType === 'password') {
        throw new OAuthError('unsupported_grant_type', 'The password grant is not supported (Mastodon is dropping it too): register an app and use grant_type=authorization_code, with PKCE.');
      }
      if (grantType !== 'authorization_code' && grantType !== 'client_credentials') {
        throw new OAuthError('unsupported_grant_type', 'grant_type must be authorization_code or client_credentials.');
      }
      const credentials = clientCredentials(request, p);
      if (credentials.conflicting) throw new OAuthError('invalid_request', 'Client credentials were sent both with HTTP Basic and in the body, and they differ.');
      const client = await core.oauth.authenticateClient(credentials.clientId ?? '', credentials.clientSecret ?? '');
      const token =
        grantType === 'authorization_code'
          ? await core.oauth.exchangeAuthorizationCode(client, { code: p.code, redirectUri: p.redirect_uri, codeVerifier: p.code_verifier })
          : await core.oauth.issueClientCredentialsToken(client, p.scope);
      request.log.info({ appId: client.id, grantType }, 'oauth token issued');
      return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache').send(toToken(token));
    });

    scope.post('/revoke', { ...CROSS_SITE, schema: { ...REVOKE, security: CLIENT_AUTH, response: { 200: anyObject } } }, async (request, reply) => {
      await consumeRateLimit(rules.tokenRequestsPerIp, clientSubject(request.ip));
      const p = parametersOf(request);
      const credentials = clientCredentials(request, p);
      if (credentials.conflicting) throw new OAuthError('invalid_request', 'Client credentials were sent both with HTTP Basic and in the body, and they differ.');
      const client = await core.oauth.authenticateClient(credentials.clientId ?? '', credentials.clientSecret ?? '');
      await core.oauth.revokeToken(client, p.token);
      return reply.header('Cache-Control', 'no-store').send({});
    });

    const userinfo = async (request: FastifyRequest, reply: FastifyReply) => {
      const account = request.token!.account!;
      return reply.header('Cache-Control', 'no-store').send({
        iss: `${base}/`,
        sub: account.id,
        name: account.displayName || account.username,
        preferred_username: account.username,
        profile: `${base}${profilePath(account.username)}`,
        // The uploaded avatar; without one the site's mark stands in (as it always has here).
        picture: account.avatarKey ? mediaUrl(core.config, account.avatarKey) : `${base}/assets/pipit.svg`,
      });
    };
    const userinfoOptions = {
      schema: { ...describe('OAuth', 'Who the token’s user is (OpenID Connect’s UserInfo)'), response: { 200: userinfoSchema } },
      preHandler: requireScope(['profile', 'read:accounts'], { user: true }),
    };
    scope.get('/userinfo', userinfoOptions, userinfo);
    scope.post('/userinfo', { ...userinfoOptions, ...CROSS_SITE }, userinfo);
  });

  await withCors(app, '/.well-known/oauth-authorization-server', (scope) => {
    // RFC 8414. Phanpy uses PKCE only when it finds S256 here.
    const metadata = { ...describe('OAuth', 'The authorization server’s metadata (RFC 8414)'), response: { 200: metadataSchema } };
    scope.get('', { schema: metadata }, async (_request, reply) =>
      reply.header('Cache-Control', 'public, max-age=3600').send({
        issuer: `${base}/`,
        service_documentation: 'https://docs.joinmastodon.org/',
        authorization_endpoint: `${base}/oauth/authorize`,
        token_endpoint: `${base}/oauth/token`,
        app_registration_endpoint: `${base}/api/v1/apps`,
        revocation_endpoint: `${base}/oauth/revoke`,
        userinfo_endpoint: `${base}/oauth/userinfo`,
        scopes_supported: KNOWN_SCOPES,
        response_types_supported: ['code'],
        // Only the query: Pipit sends the code as a query parameter and takes no response_mode.
        response_modes_supported: ['query'],
        grant_types_supported: ['authorization_code', 'client_credentials'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      }),
    );
  });
}
