import { join } from 'node:path';

// A Node process of ours started by a test runs the way bin/pipit runs one: `--liftoff-only` (without
// it V8 spends seconds of CPU and hundreds of MB optimizing PGlite's WebAssembly in every child that
// opens an embedded database), `--max-semi-space-size=8` (bin/pipit's young-generation cap) and Node's
// compile cache in .cache/ (modules parsed once, not per child).
// Use: spawn(process.execPath, nodeArgs(script, args), { env: nodeEnv({ … }) }).

const COMPILE_CACHE = process.env.NODE_COMPILE_CACHE ?? join(import.meta.dirname, '..', '..', '.cache', 'node-compile-cache');

/** Node's arguments to run `script` with `args`, as bin/pipit does. */
export function nodeArgs(script: string, args: readonly string[] = []): string[] {
  return ['--liftoff-only', '--max-semi-space-size=8', script, ...args];
}

/** `env` (tests pass a minimal one on purpose) plus the compile cache. */
export function nodeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { NODE_COMPILE_CACHE: COMPILE_CACHE, ...env };
}
