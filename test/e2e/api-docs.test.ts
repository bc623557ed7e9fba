import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIV3 } from 'openapi-types';
import { KNOWN_SCOPES } from '../../src/core/index.ts';
import { buildApp } from '../../src/web/app.ts';
import { isDescribed, OAUTH_SCHEME } from '../../src/web/api/docs/openapi.ts';
import { obj, str } from '../../src/web/api/serializers/schema.ts';
import { anotherToken, apiUser, type ApiUser } from '../helpers/api-user.ts';
import { uniqueIp } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { bearer, registerApp } from '../helpers/oauth.ts';

// The API description at /api/docs/json, checked against the app itself: a valid OpenAPI 3 document
// listing every route the API, OAuth and discovery scopes register (collected from the router, never
// from a list kept here), each with a summary, a tag and a response schema for its success; and the
// security each operation declares is the one its route enforces, tried over HTTP route by route.

type Operation = OpenAPIV3.OperationObject;
type Requirement = OpenAPIV3.SecurityRequirementObject;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * The (method, path) pairs of the router, paths written as OpenAPI writes them (`{id}`). printRoutes
 * draws the router's radix tree, one node a line (4 columns per level), each node's text continuing
 * its parent's path: "│   ├── /follow (POST)" then "│   │   ├── ers (GET, HEAD)" is /…/followers.
 */
function registeredRoutes(app: FastifyInstance): Set<string> {
  const routes = new Set<string>();
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const node = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!node) continue;
    stack.length = node[1]!.length / 4;
    stack.push(node[2]!);
    if (!node[3]) continue;
    const url = stack.join('');
    for (const method of node[3].split(', ')) if (isDescribed(method, url)) routes.add(`${method} ${url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
  }
  return routes;
}

function operations(doc: OpenAPIV3.Document): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (op) out.set(`${method.toUpperCase()} ${path}`, op);
    }
  }
  return out;
}

/** The success answer's schema: the first 2xx response that has content. */
function successSchema(op: Operation): OpenAPIV3.SchemaObject | undefined {
  for (const [status, response] of Object.entries(op.responses ?? {})) {
    if (!/^2\d\d$/.test(status)) continue;
    const content = (response as OpenAPIV3.ResponseObject).content;
    const schema = content && Object.values(content)[0]?.schema;
    if (schema) return schema as OpenAPIV3.SchemaObject;
  }
  return undefined;
}

/** Every object schema inside `schema` that names properties yet does not require each of them. */
function looseObjects(schema: unknown, at: string, out: string[] = []): string[] {
  if (typeof schema !== 'object' || schema === null) return out;
  const s = schema as Record<string, unknown>;
  if (s.properties && typeof s.properties === 'object') {
    const required = new Set((s.required as string[] | undefined) ?? []);
    const missing = Object.keys(s.properties).filter((k) => !required.has(k));
    if (missing.length > 0) out.push(`${at}: ${missing.join(', ')}`);
  }
  for (const [key, value] of Object.entries(s)) {
    if (Array.isArray(value)) value.forEach((v, i) => looseObjects(v, `${at}.${key}[${i}]`, out));
    else if (typeof value === 'object') looseObjects(value, key === 'properties' ? at : `${at}.${key}`, out);
  }
  return out;
}

/** A request to the operation's path with made-up path parameters (ids that name nothing). */
function concreteUrl(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'group_key' ? 'ungrouped-1' : name === 'id' ? '1' : 'pipit'));
}

forEachBackend('API documentation', (t) => {
  let app: FastifyInstance;
  let doc: OpenAPIV3.Document;
  let ops: Map<string, Operation>;
  before(async () => {
    app = await buildApp(t.core);
    const res = await app.inject({ url: '/api/docs/json' });
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    doc = res.json();
    ops = operations(doc);
  });
  after(() => app?.close());

  it('is a valid OpenAPI 3 document', async () => {
    assert.match(doc.openapi, /^3\./);
    await SwaggerParser.validate(structuredClone(doc) as never);
  });

  it('lists every route of the API, OAuth and discovery scopes, and nothing else', () => {
    const routes = registeredRoutes(app);
    assert.ok(routes.has('GET /api/v1/accounts/{id}/followers') && routes.has('GET /nodeinfo/2.0') && routes.has('POST /oauth/token'), [...routes].join('\n'));
    assert.deepEqual([...routes].filter((r) => !ops.has(r)).sort(), [], 'routes missing from the description');
    assert.deepEqual([...ops.keys()].filter((r) => !routes.has(r)).sort(), [], 'described routes the router does not have');
    assert.ok(![...ops.keys()].some((r) => /\/(livez|metrics|assets|auth|settings|api\/docs)\b/.test(r)));
  });

  it('gives every operation a summary, a known tag and a response schema for its success', () => {
    const tags = new Set((doc.tags ?? []).map((tag) => tag.name));
    for (const [name, op] of ops) {
      assert.ok(op.summary && op.summary.length > 5, `${name}: a summary`);
      assert.ok(op.tags?.length === 1 && tags.has(op.tags[0]!), `${name}: one known tag (${op.tags})`);
      assert.ok(successSchema(op), `${name}: a response schema for its success`);
    }
  });

  it('documents path, query and body parameters', () => {
    const parameters = (key: string) => new Map((ops.get(key)!.parameters as OpenAPIV3.ParameterObject[]).map((p) => [`${p.in}:${p.name}`, p]));
    assert.ok(parameters('GET /api/v1/accounts/{id}/statuses').has('path:id'));
    assert.ok(parameters('GET /api/v1/accounts/{id}/statuses').has('query:exclude_replies'));
    assert.ok(parameters('GET /api/v1/notifications').has('query:types[]'));
    assert.equal(parameters('GET /api/v2/search').get('query:q')?.required, true);
    const create = ops.get('POST /api/v1/statuses')!.requestBody as OpenAPIV3.RequestBodyObject;
    assert.deepEqual(Object.keys(create.content).sort(), ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data']);
    assert.ok('in_reply_to_id' in ((create.content['application/json']!.schema as OpenAPIV3.SchemaObject).properties ?? {}));
  });

  it('only documents parameters: they are read as leniently as before, with the same errors', async () => {
    // A schema that validated would refuse these (limit is an integer, local a boolean, id digits).
    const timeline = await app.inject({ url: '/api/v1/timelines/public?limit=many&local=on&only_media=0', remoteAddress: uniqueIp() });
    assert.equal(timeline.statusCode, 200, timeline.body);
    const notAnId = await app.inject({ url: '/api/v1/accounts/not-an-id', remoteAddress: uniqueIp() });
    assert.equal(notAnId.statusCode, 404);
    assert.deepEqual(notAnId.json(), { error: 'Record not found' });
    const badFlag = await app.inject({ url: '/api/v1/timelines/public?local=maybe', remoteAddress: uniqueIp() });
    assert.equal(badFlag.statusCode, 422);
    assert.match(badFlag.json().error, /local must be true or false/);
  });

  it('describes entities strictly, so a serializer that forgets a key fails', async () => {
    const resolved = operations((await SwaggerParser.dereference(structuredClone(doc) as never)) as unknown as OpenAPIV3.Document);
    for (const [name, op] of resolved) assert.deepEqual(looseObjects(successSchema(op), name), [], 'every property required');
    // The entities are described once, by name, and the answers refer to them.
    for (const name of ['Account', 'Status', 'Relationship', 'Tag', 'Notification']) assert.ok(doc.components?.schemas?.[name], `${name} in components`);
    assert.deepEqual(successSchema(ops.get('GET /api/v1/accounts/{id}')!), { $ref: '#/components/schemas/Account' });
    // A serializer that forgets a key, answered through a schema built as the real ones are: a 500.
    const forgetful = await buildApp(t.core, {
      extraRoutes: { api: (scope) => scope.get('/test/forgetful', { schema: { response: { 200: obj({ kept: str, forgotten: str }) } } }, async () => ({ kept: 'yes' })) },
    });
    try {
      const res = await forgetful.inject({ url: '/api/test/forgetful', remoteAddress: uniqueIp() });
      assert.equal(res.statusCode, 500);
    } finally {
      await forgetful.close();
    }
  });

  it('declares the OAuth 2 flows with Pipit’s own endpoints and every scope', () => {
    const scheme = doc.components?.securitySchemes?.[OAUTH_SCHEME] as OpenAPIV3.OAuth2SecurityScheme;
    assert.equal(scheme.type, 'oauth2');
    assert.equal(scheme.flows.authorizationCode?.authorizationUrl, `${t.config.publicUrl}/oauth/authorize`);
    assert.equal(scheme.flows.authorizationCode?.tokenUrl, `${t.config.publicUrl}/oauth/token`);
    assert.deepEqual(Object.keys(scheme.flows.authorizationCode?.scopes ?? {}).sort(), [...KNOWN_SCOPES].sort());
  });

  it('declares for each operation the token and scope its route enforces', async () => {
    const user: ApiUser = await apiUser(app, t.core, { prefix: 'docs', scope: 'push' });
    const client = await registerApp(app, { scopes: KNOWN_SCOPES.join(' ') });
    const tokens = new Map<string, string>();
    const tokenFor = async (scope: string) => {
      if (!tokens.has(scope)) tokens.set(scope, await anotherToken(app, user, scope, client));
      return tokens.get(scope)!;
    };
    const call = (key: string, token?: string) => {
      const [method, path] = key.split(' ') as [string, string];
      return app.inject({ method: method as 'GET', url: concreteUrl(path), remoteAddress: uniqueIp(), ...(token ? { headers: bearer(token) } : {}) });
    };
    let checked = 0;
    for (const [key, op] of ops) {
      const security = (op.security ?? []) as Requirement[];
      if (security.some((r) => 'ClientSecretBasic' in r)) continue; // client credentials, not a bearer token
      const anonymous = security.length === 0 || security.some((r) => Object.keys(r).length === 0);
      const scopes = security.flatMap((r) => r[OAUTH_SCHEME] ?? []);
      const withoutToken = await call(key);
      if (anonymous) assert.notEqual(withoutToken.statusCode, 401, `${key} is open without a token`);
      else assert.equal(withoutToken.statusCode, 401, `${key} needs a token`);
      if (security.length === 0) continue;
      // `push` covers none of the API's scopes: a token of it is refused wherever a scope is declared.
      const unrelated = await call(key, user.token);
      if (scopes.length > 0) assert.equal(unrelated.statusCode, 403, `${key}: a push token is outside ${scopes.join(' or ')}`);
      else assert.notEqual(unrelated.statusCode, 403, `${key}: any token will do`);
      for (const scope of scopes) {
        const allowed = await call(key, await tokenFor(scope));
        assert.ok(![401, 403].includes(allowed.statusCode), `${key}: a token of ${scope} is let through (${allowed.statusCode} ${allowed.body.slice(0, 200)})`);
      }
      checked += 1;
    }
    assert.ok(checked > 40, `operations with security checked: ${checked}`);
  });

  it('serves the documentation page and its assets from this site, under the site’s CSP', async () => {
    const typed = await app.inject({ url: '/api/docs' });
    assert.equal(typed.statusCode, 301, 'the address as typed leads to the page, where its relative links resolve');
    assert.equal(typed.headers.location, '/api/docs/');
    const page = await app.inject({ url: '/api/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /swagger-ui/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    for (const src of page.body.matchAll(/(?:src|href)="([^"]+)"/g)) {
      assert.ok(src[1]!.startsWith('/api/docs/') || src[1]!.startsWith('./'), `an asset of this site: ${src[1]}`);
      const asset = await app.inject({ url: new URL(src[1]!, `${t.config.publicUrl}/api/docs/`).pathname });
      assert.equal(asset.statusCode, 200, src[1]);
    }
  });

  it('answers a path that names no file of the documentation as the API does: JSON, never a 500', async () => {
    for (const url of ['/api/docs/static/nope.js', '/api/docs/static/index.html/', '/api/docs/nothing']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.deepEqual(res.json(), { error: 'Record not found' }, url);
    }
    const refused = await app.inject({ url: '/api/docs/static//v1/statuses' });
    assert.equal(refused.statusCode, 403);
    assert.deepEqual(Object.keys(refused.json()), ['error']);
  });
});
