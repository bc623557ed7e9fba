import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

// How the embedded database is opened, in a module of its own so the footprint benchmark's baseline
// (bench/footprint-baseline.ts) opens PGlite exactly as Pipit does without loading the rest of core.

const INT8_OID = 20;
const identity = (value: string): string => value;

// PGlite's WASM memory grows to what PostgreSQL touches and is never given back, so every buffer
// PostgreSQL sizes at start is resident for the life of the process. Its defaults are a server's:
// shared_buffers=128MB alone made a bare PGlite hold ~320 MB; at 16MB it holds ~150 MB and starts
// ~40 % faster (bench:footprint, bench/README.md). Pages not in shared buffers are still read through
// the operating system's page cache, which the kernel can give back under memory pressure.
// maintenance_work_mem (index builds, VACUUM) is capped for the same reason: 64MB once is 64MB forever.
const MEMORY_SETTINGS = ['shared_buffers=16MB', 'maintenance_work_mem=16MB'];

/** PGlite's options: bigints come back as strings, as from PostgreSQL; memory sized for a small site. */
export const PGLITE_OPTIONS = {
  parsers: { [INT8_OID]: identity },
  startParams: [...PGlite.defaultStartParams, ...MEMORY_SETTINGS.flatMap((setting) => ['-c', setting])],
} satisfies PGliteOptions;
