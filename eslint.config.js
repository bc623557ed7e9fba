// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Lints src, test and bench, and enforces the boundaries of DESIGN.md:
//  - only src/core talks to the database (pg, PGlite, Kysely, pg-boss);
//  - src/web and src/worker never import each other; src/core imports none of web, worker, cli;
//  - in src, only src/core/config.ts reads process.env (everything else receives a Config).
// In flat config the last matching object sets a rule's options whole, so each folder's object
// below carries the complete list of what that folder may not import.

const DATABASE_MESSAGE = 'only src/core talks to the database: call a core use case instead';
const ENV_MESSAGE = 'only src/core/config.ts reads the environment: take the value from core.config (add it to config.ts)';

// Postgres drivers and their relatives (pg, pg-pool, postgres), Kysely and its plugins, PGlite and its
// extensions, pg-boss and @pg-boss/*.
const DATABASE_PACKAGES = String.raw`^(pg|pg-[\w.-]+|postgres|kysely[\w.-]*|@electric-sql/pglite[\w.-]*|@pg-boss/[\w.-]+)(/.*)?$`;

/** esquery (no-restricted-syntax) ends a /regex/ at the first slash, even an escaped one. @param {string} regex */
const inSelector = (regex) => regex.replaceAll('/', String.raw`\u002F`);

/** A relative import that climbs into one of `folders` of src (`../worker/x.ts`, `../../web/app.ts`). @param {string[]} folders */
const folderPattern = (folders) => String.raw`^(\.\./)+(${folders.join('|')})(/|$)`;

/**
 * The `no-restricted-imports` and `no-restricted-syntax` rules for a folder.
 * @param {{ database?: boolean, folders?: string[], env?: boolean, why?: string }} options
 */
function boundaries({ database = false, folders = [], env = false, why = '' }) {
  /** @type {{ regex: string, message: string }[]} */
  const patterns = [];
  if (database) patterns.push({ regex: DATABASE_PACKAGES, message: DATABASE_MESSAGE });
  if (folders.length) patterns.push({ regex: folderPattern(folders), message: why });
  const paths = env
    ? ['node:process', 'process'].map((name) => ({ name, importNames: ['env'], message: ENV_MESSAGE }))
    : [];
  return {
    'no-restricted-imports': ['error', { paths, patterns }],
    // no-restricted-imports does not see import('…'); these do.
    'no-restricted-syntax': [
      'error',
      ...(database ? [{ selector: `ImportExpression > Literal[value=/${inSelector(DATABASE_PACKAGES)}/]`, message: DATABASE_MESSAGE }] : []),
      ...(folders.length ? [{ selector: `ImportExpression > Literal[value=/${inSelector(folderPattern(folders))}/]`, message: why }] : []),
    ],
  };
}

const envProperty = { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: ENV_MESSAGE }] };

export default defineConfig(
  {
    ignores: ['node_modules/', 'data/', 'bench/results/', 'test-results/', 'coverage/'],
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'eslint.config.js'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Kysely's untyped handles (migrations, the migrator) are Kysely<any> by design.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // The application. Order matters: the specific folders after the general rule.
  {
    files: ['src/**/*.ts'],
    rules: { ...boundaries({ database: true, env: true }), ...envProperty },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: boundaries({ folders: ['web', 'worker', 'cli'], env: true, why: 'src/core is the common package: it imports nothing from web, worker or cli' }),
  },
  {
    files: ['src/core/config.ts'],
    rules: { ...boundaries({ folders: ['web', 'worker', 'cli'], why: 'src/core is the common package: it imports nothing from web, worker or cli' }), 'no-restricted-properties': 'off' },
  },
  {
    files: ['src/web/**/*.ts'],
    rules: boundaries({ database: true, env: true, folders: ['worker', 'cli'], why: 'src/web never imports src/worker (or src/cli): they meet only through core (events and jobs)' }),
  },
  {
    files: ['src/worker/**/*.ts'],
    rules: boundaries({ database: true, env: true, folders: ['web', 'cli'], why: 'src/worker never imports src/web (or src/cli): they meet only through core (events and jobs)' }),
  },
  // Tests reach the database through core too, except integration tests of the core itself, which
  // may look at its tables (e.g. the job queue's). Benchmarks are exempt: their baselines measure
  // the raw database without Pipit.
  {
    files: ['test/**/*.ts'],
    rules: boundaries({ database: true }),
  },
  {
    files: ['test/integration/**/*.ts'],
    rules: { 'no-restricted-imports': 'off', 'no-restricted-syntax': 'off' },
  },
);
