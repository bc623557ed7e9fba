// Rows of the prepared statements (prepared.ts) as objects, made by one function per statement.
//
// node-postgres makes each row object by copying a template it rebuilds on every execution from a
// null-prototype object, then storing every column by name: for an API timeline page (20 rows of ~40
// columns) that was ~8 % of the call's CPU. The pool's clients (connection.ts) therefore ask for a
// prepared statement's rows as arrays, and this turns them into the same objects: each statement's
// columns get a function, compiled once, that makes a row as one object literal — the same keys in
// the same order as node-postgres gives them, and every row of a statement of one shape, which also
// makes reading them cheaper. The column names come from PostgreSQL's description of our own
// statements and are written into the function as JSON strings, never as code.

type Row = Record<string, unknown>;
type MakeRow = (values: readonly unknown[]) => Row;

interface Maker {
  names: readonly string[];
  make: MakeRow;
}

// Keyed by the statement's name: prepared.ts bounds how many there are.
const makers = new Map<string, Maker>();

function sameNames(names: readonly string[], fields: readonly { name: string }[]): boolean {
  if (names.length !== fields.length) return false;
  for (let i = 0; i < names.length; i++) if (names[i] !== fields[i]!.name) return false;
  return true;
}

function compile(names: readonly string[]): MakeRow {
  // In an object literal `__proto__: v` would set the prototype rather than make a column: such a
  // statement (there is none) gets the generic way. A repeated name keeps its last value, as in node-postgres.
  if (names.includes('__proto__')) return (values) => Object.fromEntries(names.map((name, i) => [name, values[i]]));
  const body = `return {${names.map((name, i) => `${JSON.stringify(name)}: values[${i}]`).join(', ')}};`;
  return new Function('values', body) as MakeRow;
}

/** The rows of the prepared statement `statement` (fetched as arrays, described by `fields`) as objects. */
export function rowObjects(statement: string, fields: readonly { name: string }[], rows: readonly (readonly unknown[])[]): Row[] {
  let maker = makers.get(statement);
  if (maker === undefined || !sameNames(maker.names, fields)) {
    const names = fields.map((f) => f.name);
    maker = { names, make: compile(names) };
    makers.set(statement, maker);
  }
  const make = maker.make;
  const objects = new Array<Row>(rows.length);
  for (let i = 0; i < rows.length; i++) objects[i] = make(rows[i]!);
  return objects;
}
