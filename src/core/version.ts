import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Pipit's own version (package.json), as nodeinfo and the logs report it. */
export const PIPIT_VERSION: string = (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
