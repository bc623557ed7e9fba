import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import qs from 'qs';
import { Invalid } from '../../core/index.ts';
import { BadRequest } from '../shared/error-table.ts';
import { BODY_LIMIT, QS_OPTIONS } from '../shared/limits.ts';

// Request bodies as Mastodon clients send them (mastodon-api.md §0): JSON (also an empty body labelled
// JSON: masto.js #833), urlencoded and multipart fields with Rails brackets (`media_ids[]`,
// `source[privacy]`), and parameters in the query string of a POST (older Ice Cubes), merged into the
// body as Rails does — what the body says wins. Handlers read `request.body` as one object.

/** What a body of any other content type is told (415): the formats these parsers read. */
export const BODY_FORMATS_MESSAGE = 'This content type is not accepted: send the body as JSON (application/json), as a form (application/x-www-form-urlencoded) or as multipart/form-data.';

const MULTIPART_LIMITS = { fields: QS_OPTIONS.parameterLimit, fieldSize: 64 * 1024, fieldNameSize: 200, parts: QS_OPTIONS.parameterLimit + 10, headerPairs: 100 };
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Flat field pairs (multipart) as qs reads them, so brackets nest as they do in a urlencoded body. */
export function nestFields(fields: Record<string, unknown>): Record<string, unknown> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, typeof one === 'string' ? one : String(one ?? ''));
  }
  return qs.parse(params.toString(), QS_OPTIONS);
}

/** The query parameters merged under the body's (what the body says wins), for methods that carry one. */
export function mergeQueryIntoBody(query: unknown, body: unknown): unknown {
  if (!isPlainObject(query) || Object.keys(query).length === 0) return body;
  if (body === undefined || body === null) return { ...query };
  return isPlainObject(body) ? { ...query, ...body } : body;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route reads its multipart body itself (a file upload), after authentication. */
    fileUpload?: boolean;
  }
}

/** Installs the API's body parsers and the query merge on an (encapsulated) scope. */
export async function registerApiBodies(scope: FastifyInstance): Promise<void> {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      // As Fastify's own parser does, keep `__proto__` keys out of what handlers see.
      done(null, JSON.parse(text, (key, value: unknown) => (key === '__proto__' ? undefined : value)));
    } catch {
      done(new BadRequest('The body is not valid JSON.'), undefined);
    }
  });
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => {
    done(null, qs.parse(String(body), QS_OPTIONS));
  });
  await scope.register(multipart, { limits: { ...MULTIPART_LIMITS, fileSize: 0, files: 1 } });
  scope.addHook('preValidation', async (request: FastifyRequest) => {
    // An upload route streams its parts itself, once the token is checked: nothing is read for it here.
    if (request.routeOptions.config?.fileUpload) return;
    if (request.isMultipart()) request.body = nestFields(await multipartFields(request));
    if (WITH_BODY.has(request.method)) request.body = mergeQueryIntoBody(request.query, request.body);
  });
}

/**
 * The text fields of a multipart body. Media uploads have routes of their own (routes/media.ts); here a file part
 * is refused, never buffered, and a body that is not multipart after all is a 400 (the parser's own
 * error would be a 500).
 */
async function multipartFields(request: FastifyRequest): Promise<Record<string, unknown>> {
  const fields: Record<string, string[]> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        part.file.resume();
        throw new Invalid(`${part.fieldname} is a file, and this endpoint takes no files.`, part.fieldname);
      }
      (fields[part.fieldname] ??= []).push(typeof part.value === 'string' ? part.value : String(part.value ?? ''));
    }
  } catch (error) {
    if (error instanceof Invalid || (error as { statusCode?: number }).statusCode) throw error;
    throw new BadRequest('The multipart body could not be read: check its boundary and parts.');
  }
  return fields;
}
