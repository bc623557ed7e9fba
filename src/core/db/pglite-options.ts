import type { PGliteOptions } from '@electric-sql/pglite';

// How the embedded database is opened, in a module of its own so the footprint benchmark's baseline
// (bench/footprint-baseline.ts) opens PGlite exactly as Pipit does without loading the rest of core.

const INT8_OID = 20;
const identity = (value: string): string => value;

/** PGlite's options: bigints come back as strings, as from PostgreSQL. */
export const PGLITE_OPTIONS = { parsers: { [INT8_OID]: identity } } satisfies PGliteOptions;
