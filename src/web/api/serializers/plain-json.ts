import type { FastifySerializerCompiler } from 'fastify';

// Route option for the lists of statuses (timelines.ts): their answers are serialized by JSON.stringify
// instead of the schema's fast-json-stringify function. That function builds a page (20 statuses, ~35
// KB) by concatenating thousands of small strings; V8 keeps the result as a rope, which the socket
// write must flatten first. Per API timeline call the concatenation and the flattening cost ~2–3× what
// JSON.stringify and the write of its flat string do (measured: bench/README.md).
//
// The schema stays the route's documented answer (the API description reads it), and the bytes stay
// the same: the entities (toMastodonStatus, toMastodonAccount, toMastodonMediaAttachment) are object
// literals with exactly the schema's keys in the schema's order and values of its types, so
// JSON.stringify writes what fast-json-stringify would. test/unit/plain-json.test.ts holds the two
// together on every shape a status takes; a serializer that forgets or adds a key fails there.

const stringify: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);

/** `serializerCompiler` for a route whose 200 answer is made of the entities above only. */
export const PLAIN_JSON = { serializerCompiler: stringify } as const;
