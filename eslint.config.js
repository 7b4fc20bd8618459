// Type-aware lint: floating promises and misused promises are errors (a dropped promise is a lost write).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'test-output/',
      '**/*.mjs',
      'bin/',
      'eslint.config.js',
      'scratch/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/test return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['describe', 'test', 'it', 'suite'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    // Cutover never expunges: IMAP CLOSE expunges every \Deleted message of a folder selected read-write.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          property: 'mailboxClose',
          message:
            'CLOSE expunges \\Deleted messages. Leave the selection to the next SELECT/EXAMINE or LOGOUT (RFC 3501 §6.4.2).',
        },
      ],
    },
  },

  // Layers: dependencies point downward — cli/server/portal → app → services → engine/connectors/store/config
  // → errors. Each folder lists what it must never import; scripts/check-cycles.mjs (npm run lint) forbids
  // import cycles, type-only ones included.
  ...layers({
    'src/engine/**': { up: ['services', 'server', 'cli', 'portal', 'app', 'http'] },
    'src/connectors/**': {
      up: ['services', 'server', 'cli', 'portal', 'app', 'http', 'engine'],
    },
    'src/services/**': { up: ['server', 'portal', 'cli', 'app', 'http'] },
    'src/notify/**': { up: ['services', 'server', 'portal', 'cli', 'app'] },
    'src/reports/**': { up: ['services', 'server', 'portal', 'cli', 'app'] },
    'src/http/**': { up: ['server', 'portal', 'cli', 'app'] },
    'src/portal/**': { up: ['server', 'cli'] },
    'src/schemas/**': { up: ['services', 'server', 'portal', 'cli', 'app'] },
    'src/config/**': { up: ['services', 'server', 'portal', 'cli', 'app', 'http', 'engine', 'store'] },
    // iCalendar and vCard text (parsing, writing, conversions): used by connectors and the engine alike.
    'src/formats/**': {
      up: [
        'services',
        'server',
        'portal',
        'cli',
        'app',
        'http',
        'engine',
        'connectors',
        'store',
        'config',
        'runner',
      ],
    },
    // The queue and the limits are plumbing under every layer; the job handlers (runner/handlers/) sit at
    // the services' level, since a handler is the body of a service's work.
    'src/runner/*.ts': {
      up: ['services', 'server', 'portal', 'cli', 'app', 'http', 'engine', 'connectors', 'store', 'config'],
    },
    'src/runner/local/**': {
      up: ['services', 'server', 'portal', 'cli', 'app', 'http', 'engine', 'connectors', 'store', 'config'],
    },
    // The PostgreSQL queue (scale-out) also keeps its worker's row in the store (store/worker-repo.ts).
    'src/runner/pg/**': {
      up: ['services', 'server', 'portal', 'cli', 'app', 'http', 'engine', 'connectors', 'config'],
    },
    'src/runner/handlers/**': { up: ['server', 'portal', 'cli', 'app', 'http'] },
    // The limits every worker sharing one PostgreSQL store holds together: the limits' own repositories in
    // store/ below them, nothing above (the connectors' hooks are met by shape, not imported).
    'src/runner/pg/**': {
      up: ['services', 'server', 'portal', 'cli', 'app', 'http', 'engine', 'connectors', 'config'],
    },
  }),
  {
    // The store sits on errors.ts alone (and its own files, Node and Kysely).
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['../*', '!../errors.js'], message: 'src/store/ imports only src/errors.ts.' }],
        },
      ],
    },
  },
  {
    // The web UI is its own bundle: it reaches the server only through web/api/ (the generated client).
    files: ['web/*.ts', 'web/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*'], message: 'web/ imports only web/**.' }] },
      ],
    },
  },
  {
    files: ['web/*/**/*.ts', 'web/*/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../../*'], message: 'web/ imports only web/**.' }] },
      ],
    },
  },
);

/**
 * One `no-restricted-imports` block per folder: its files may not import the folders in `up` (above it),
 * except the paths in `allow` (each one a known exception, said why where it is listed).
 */
function layers(rules) {
  return Object.entries(rules).map(([files, { up, allow = [] }]) => ({
    files: [files.endsWith('**') ? `${files}/*.ts` : files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: up.map((dir) => ({
            group: [`**/${dir}/*`, ...allow.map((a) => `!${a}`)],
            message: `${files.replace('/**', '/')} must not import src/${dir}/ (dependencies point downward; see docs/architecture.md).`,
          })),
        },
      ],
    },
  }));
}
