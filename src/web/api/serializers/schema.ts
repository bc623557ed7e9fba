// Small builders for response schemas. Fastify serializes a response through its schema and silently
// drops any key the schema does not name, so objects built here list every property as required too:
// a serializer that forgets a key then fails in tests instead of sending a client an incomplete entity.

type Schema = Record<string, unknown>;

export const str = { type: 'string' } as const;
export const int = { type: 'integer' } as const;
export const bool = { type: 'boolean' } as const;
export const nul = { type: 'null' } as const;

/** `schema` or null (only for scalar types). */
export function orNull(schema: { type: string }): Schema {
  return { type: [schema.type, 'null'] };
}

/** An object with exactly these properties, each required. */
export function obj(properties: Record<string, Schema>): Schema {
  // An empty `required` is left out: OpenAPI 3.0 (the API description: docs/openapi.ts) forbids one.
  const required = Object.keys(properties);
  return { type: 'object', ...(required.length > 0 ? { required } : {}), properties, additionalProperties: false };
}

/** An object schema or null. */
export function objOrNull(properties: Record<string, Schema>): Schema {
  return { anyOf: [obj(properties), nul] };
}

export function arr(items: Schema): Schema {
  return { type: 'array', items };
}

/**
 * A named entity: its schema gets an `$id`, is added once to the app (entities.ts), and is used through
 * `ref(name)`. Fastify serializes a reference as it would the schema, and the API description shows
 * each entity once, by name, instead of a copy in every operation.
 */
export function entity(name: string, schema: Schema): Schema {
  return { $id: name, title: name, ...schema };
}

/** A reference to an entity added to the app (`{ $ref: 'Account#' }`). */
export function ref(name: string): Schema {
  return { $ref: `${name}#` };
}

/** An object whose keys are not known in advance (kept as they are). */
export const anyObject = { type: 'object', additionalProperties: true } as const;
