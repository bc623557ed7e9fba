// @ts-check
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Lints src, test and bench, and enforces the boundaries of DESIGN.md:
//  - only src/core talks to the database (pg, PGlite, Kysely, pg-boss);
//  - src/web and src/worker never import each other; src/core imports none of web, worker, cli;
//  - outside src/core, src imports only src/core/index.ts of the core (tests and benchmarks may reach
//    further: they test the parts);
//  - in src, only src/core/config.ts reads process.env (everything else receives a Config).
// Imports between folders are judged by the path they resolve to (pipit/boundaries below), so no
// spelling of a path (`../core/./db/x.ts`, `../../src/core/db/x.ts`) slips through.
// In flat config the last matching object sets a rule's options whole, so each folder's object
// below carries the complete list of what that folder may not import.

const DATABASE_MESSAGE = 'only src/core talks to the database: call a core use case instead';
const ENV_MESSAGE = 'only src/core/config.ts reads the environment: take the value from core.config (add it to config.ts)';

// Postgres drivers and their relatives (pg, pg-pool, postgres), Kysely and its plugins, PGlite and its
// extensions, pg-boss and @pg-boss/*.
const DATABASE_PACKAGES = String.raw`^(pg|pg-[\w.-]+|postgres|kysely[\w.-]*|@electric-sql/pglite[\w.-]*|@pg-boss/[\w.-]+)(/.*)?$`;

/** esquery (no-restricted-syntax) ends a /regex/ at the first slash, even an escaped one. @param {string} regex */
const inSelector = (regex) => regex.replaceAll('/', String.raw`\u002F`);

/**
 * The `no-restricted-imports` and `no-restricted-syntax` rules for a folder.
 * @param {{ database?: boolean, env?: boolean }} options
 */
function boundaries({ database = false, env = false }) {
  /** @type {{ regex: string, message: string }[]} */
  const patterns = [];
  if (database) patterns.push({ regex: DATABASE_PACKAGES, message: DATABASE_MESSAGE });
  const paths = env
    ? ['node:process', 'process'].map((name) => ({ name, importNames: ['env'], message: ENV_MESSAGE }))
    : [];
  return {
    'no-restricted-imports': ['error', { paths, patterns }],
    // no-restricted-imports does not see import('…'); these do.
    'no-restricted-syntax': [
      'error',
      ...(database ? [{ selector: `ImportExpression > Literal[value=/${inSelector(DATABASE_PACKAGES)}/]`, message: DATABASE_MESSAGE }] : []),
    ],
  };
}

const ROOT = import.meta.dirname;
const CORE_ENTRY = 'src/core/index.ts';

/** What each folder of src may not import, by the folder of the resolved path; `why` is the message. */
const FORBIDDEN = {
  'src/core': { folders: ['src/web', 'src/worker', 'src/cli'], why: 'src/core is the common package: it imports nothing from web, worker or cli' },
  'src/web': { folders: ['src/worker', 'src/cli'], why: 'src/web never imports src/worker (or src/cli): they meet only through core (events and jobs)' },
  'src/worker': { folders: ['src/web', 'src/cli'], why: 'src/worker never imports src/web (or src/cli): they meet only through core (events and jobs)' },
  'src/cli': { folders: [], why: '' },
};
const CORE_ENTRY_MESSAGE = `outside src/core, import the core only through ${CORE_ENTRY} (export what you need from there)`;

/** `path` (project-relative, `/`-separated) is `folder` or inside it. @param {string} path @param {string} folder */
const within = (path, folder) => path === folder || path.startsWith(`${folder}/`);

/** The boundary rule on resolved paths: relative and absolute specifiers are resolved against the importing file. */
const boundaryRule = {
  meta: { type: 'problem', schema: [], docs: { description: "DESIGN.md's boundaries between src/core, src/web, src/worker and src/cli, on resolved paths" } },
  /** @param {import('eslint').Rule.RuleContext} context */
  create(context) {
    const file = relative(ROOT, context.filename).split(sep).join('/');
    const area = /** @type {(keyof typeof FORBIDDEN) | undefined} */ (Object.keys(FORBIDDEN).find((folder) => within(file, folder)));
    if (!area) return {};
    const { folders, why } = FORBIDDEN[area];
    /** @param {import('estree').Node | null | undefined} node */
    const check = (node) => {
      if (!node || node.type !== 'Literal' || typeof node.value !== 'string') return;
      const specifier = node.value;
      if (!specifier.startsWith('.') && !isAbsolute(specifier)) return;
      const target = relative(ROOT, resolve(dirname(context.filename), specifier)).split(sep).join('/');
      if (folders.some((folder) => within(target, folder))) context.report({ node, message: why });
      else if (area !== 'src/core' && within(target, 'src/core') && target !== CORE_ENTRY) context.report({ node, message: CORE_ENTRY_MESSAGE });
    };
    return {
      /** @param {any} node */
      ImportDeclaration: (node) => check(node.source),
      /** @param {any} node */
      ExportNamedDeclaration: (node) => check(node.source),
      /** @param {any} node */
      ExportAllDeclaration: (node) => check(node.source),
      /** @param {any} node */
      ImportExpression: (node) => check(node.source),
      /** `import('…').Type` in a type position. @param {any} node */
      TSImportType: (node) => check(node.argument?.literal ?? node.argument),
    };
  },
};

const envProperty = { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: ENV_MESSAGE }] };

export default defineConfig(
  {
    ignores: ['node_modules/', '.cache/', 'data/', 'bench/results/', 'test-results/', 'coverage/'],
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
    plugins: { pipit: { rules: { boundaries: boundaryRule } } },
    rules: { ...boundaries({ database: true, env: true }), ...envProperty, 'pipit/boundaries': 'error' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: boundaries({ env: true }),
  },
  {
    files: ['src/core/config.ts'],
    rules: { ...boundaries({}), 'no-restricted-properties': 'off' },
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
