import SerializerSelector from '@fastify/fast-json-stringify-compiler';

// Fastify builds every route's response serializer at start-up: fast-json-stringify generates JavaScript
// from the route's response schema. With the API's entities inlined in each (a Status holds its account,
// media, mentions, tags and maybe the boosted Status), that is ~125 KB of generated code per route for
// ~50 routes — ~0.5 s of a start's CPU and ~12 MiB held by a process that may answer few of them. The
// same compiler, given the same shared schemas and options, builds each route's serializer at its first
// response instead (a few milliseconds, once). Output is byte for byte the same.

const fastJsonStringify = SerializerSelector();

/** Fastify's own serializer factory (`schemaController.compilersFactory.buildSerializer`), each serializer built on first use. */
export const buildSerializersOnFirstUse: typeof fastJsonStringify = (externalSchemas, options) => {
  const compile = fastJsonStringify(externalSchemas, options);
  return (route) => {
    let serialize: ((doc: unknown) => string) | undefined;
    return (doc) => (serialize ??= compile(route))(doc);
  };
};
