import type { Compilable, CompiledQuery } from 'kysely';

// Building a page's query with Kysely (some forty selections, joins, the visibility rule) and
// compiling it to SQL cost ~7 % of an API timeline call's CPU, every call, for the same text each
// time: only the values change (the viewer, the author, the page's bounds). A query of a fixed shape
// is therefore built and compiled ONCE per shape, with a marker string in place of each value; each
// call copies the compiled query with the markers in its parameters replaced by that call's values.
//
// The shape key must name everything the build branches on (viewer kind, which bounds are present,
// the literal LIMIT, the options): the build sees only markers, never the values. A value must reach
// the SQL as a parameter of its own, untouched: a marker found in the SQL text (a literal), inside a
// longer parameter (a value that was formatted), or nowhere (a value the shape does not use — a
// sign that the key misses a branch) throws at the shape's first compile, so the tests catch it.
// Nothing here caches a result: every call still runs its statement.

const MAX_SHAPES = 500;

interface Shape {
  compiled: CompiledQuery<unknown>;
  /** Per parameter: the name of the value it takes, or undefined for a constant of the shape. */
  slots: (string | undefined)[];
}

const shapes = new Map<string, Shape>();

// NUL never occurs in a value that reaches SQL (PostgreSQL rejects it in text), so no real value looks like a marker.
const markerOf = (name: string) => `\u0000pipit-value:${name}\u0000`;

function compileShape(values: Record<string, unknown>, build: (markers: Record<string, string>) => Compilable<unknown> | CompiledQuery<unknown>): Shape {
  const names = Object.keys(values);
  const markers = Object.fromEntries(names.map((name) => [name, markerOf(name)]));
  const byMarker = new Map(names.map((name) => [markerOf(name), name]));
  const built = build(markers);
  const compiled = 'compile' in built ? built.compile() : built;
  const used = new Set<string>();
  const slots = compiled.parameters.map((p) => {
    const name = typeof p === 'string' ? byMarker.get(p) : undefined;
    if (name !== undefined) used.add(name);
    else if (typeof p === 'string' && p.includes('\u0000pipit-value:')) throw new Error(`compiledOnce: a value was formatted into a parameter (${JSON.stringify(p)}): pass it as a parameter of its own`);
    return name;
  });
  for (const name of names) {
    if (compiled.sql.includes(markers[name]!)) throw new Error(`compiledOnce: the value "${name}" was written into the SQL text: it must be a parameter`);
    if (!used.has(name)) throw new Error(`compiledOnce: the value "${name}" is not a parameter of this shape: its key must name the branch that leaves it out`);
  }
  return { compiled, slots };
}

/**
 * The compiled query of `build` for `values`: built and compiled once per `shape` (a key naming
 * everything the build depends on besides `values`), then only the values are bound. `build` gets a
 * marker string in place of each value and must pass each one to the query as a parameter, as is.
 */
export function compiledOnce<V extends Record<string, unknown>, R>(
  shape: string,
  values: V,
  build: (markers: { readonly [K in keyof V]: string }) => Compilable<R> | CompiledQuery<R>,
): CompiledQuery<R> {
  let found = shapes.get(shape);
  if (found === undefined) {
    found = compileShape(values, build as (markers: Record<string, string>) => Compilable<unknown> | CompiledQuery<unknown>);
    // Bounded like the prepared statements' names (prepared.ts): past it, a new shape is compiled per call.
    if (shapes.size < MAX_SHAPES) shapes.set(shape, found);
  }
  const { compiled, slots } = found;
  const parameters = new Array<unknown>(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    parameters[i] = slot === undefined ? compiled.parameters[i] : values[slot];
  }
  return { ...compiled, parameters } as CompiledQuery<R>;
}
