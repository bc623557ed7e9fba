import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIV3 } from 'openapi-types';
import { buildApp } from '../../src/web/app.ts';
import { isDescribed } from '../../src/web/api/docs/openapi.ts';
import { forEachBackend } from '../helpers/databases.ts';

// The API description at /api/docs/json, against the app's own routes: a valid OpenAPI 3 document
// that lists every route the API, OAuth and discovery scopes register (collected from the router, not
// from a list kept here), each with a summary, a tag and a response schema for its success.

type Operation = OpenAPIV3.OperationObject;
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
    const depth = node[1]!.length / 4;
    stack.length = depth;
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

forEachBackend('API documentation', (t) => {
  let app: FastifyInstance;
  let doc: OpenAPIV3.Document;
  before(async () => {
    app = await buildApp(t.core);
    await app.ready();
    const res = await app.inject({ url: '/api/docs/json' });
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    doc = res.json();
    if (process.env.DUMP_DOC) (await import('node:fs')).writeFileSync(process.env.DUMP_DOC, JSON.stringify(doc, null, 2));
  });
  after(() => app?.close());

  it('is a valid OpenAPI 3 document', async () => {
    assert.match(doc.openapi, /^3\./);
    await SwaggerParser.validate(structuredClone(doc) as never);
  });

  it('lists every route of the API, OAuth and discovery scopes, and nothing else', () => {
    const routes = registeredRoutes(app);
    const described = new Set(operations(doc).keys());
    assert.ok(routes.size > 50, `routes found: ${routes.size}`);
    assert.deepEqual([...routes].filter((r) => !described.has(r)).sort(), [], 'routes missing from the description');
    assert.deepEqual([...described].filter((r) => !routes.has(r)).sort(), [], 'described routes the router does not have');
  });
});
