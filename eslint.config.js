import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Packages are imported through their public entry points only: an update stays a version bump. */
const noDeepImports = {
  group: ['**/node_modules/**', 'node_modules/**'],
  message: 'Import the package by its name.',
};

/** The files of src/<folder>/ may not import from the later folders, nor from main.ts. */
function layer(folder, later) {
  return [
    {
      files: [`src/${folder}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              noDeepImports,
              {
                group: [...later.map((name) => `../${name}/*`), '../main.js'],
                message: `src/${folder}/ comes before ${later.join(', ')} and main.ts: it may not import them.`,
              },
            ],
          },
        ],
      },
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'build/',
      'coverage/',
      'reports/',
      '.bench/',
      '.cache/',
      '.stryker-tmp/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        // `const { dropped, ...kept } = value` names what it leaves out.
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-restricted-imports': ['error', { patterns: [noDeepImports] }],
    },
  },
  {
    // Type-aware rules for the action's sources: a promise left floating in the concurrent
    // pool would let a failure pass unseen.
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Values from Cloudflare or the workflow could start a workflow command: every line goes
      // through src/shared/sanitize.ts (printable, printableLines) on its way to the log.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.name='core'][callee.property.name=/^(info|notice|warning|error|debug|setFailed)$/]:not([arguments.0.callee.name=/^printable(Lines)?$/])",
          message: 'Print through printable() or printableLines() from src/shared/sanitize.ts.',
        },
      ],
    },
  },
  {
    // CommonJS helpers, preloaded into the action's process with --require.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // One direction, as main.ts runs them: shared → inputs → plan → copy → report. A folder
  // imports the folders before it in that order, never one after it (CONTRIBUTING, Layout).
  ...layer('shared', ['inputs', 'plan', 'copy', 'report']),
  ...layer('inputs', ['plan', 'copy', 'report']),
  ...layer('plan', ['copy', 'report']),
  ...layer('copy', ['report']),
  {
    // The Cloudflare client stays free of GitHub Actions code and of the action's own modules,
    // so it could be published alone.
    files: ['src/cloudflare/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noDeepImports,
            { group: ['@actions/*'], message: 'The client knows nothing of GitHub Actions.' },
            { group: ['../*'], message: 'The client imports only its own files and packages.' },
          ],
        },
      ],
    },
  },
);
