import type { FastifySchemaCompiler } from 'fastify';

// Request schemas (`params`, `querystring`, `body`, `headers`) in the API, OAuth and discovery scopes are
// documentation for the OpenAPI description (openapi.ts), never checks. Mastodon's clients send
// parameters in every spelling Rails accepts — `types[]` brackets, booleans as "1", "on" or "true", ids
// as strings or numbers, an empty JSON body, multipart fields — and the handlers read them leniently
// (params.ts, body-parsing.ts), each refusal worded for the parameter at fault. Fastify's own Ajv
// validation would coerce and refuse differently ("querystring/limit must be integer"), changing what is
// accepted and how an error reads. So these scopes compile every request schema to a check that passes
// the value through untouched. Response schemas are not affected: they still serialize through
// fast-json-stringify (see serializers/schema.ts).

/** A validator compiler that validates nothing: the schema only documents the request part. */
export const documentationOnly: FastifySchemaCompiler<unknown> = () => () => true;
