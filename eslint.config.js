import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Packages are imported through their public entry points only: an update stays a version bump. */
const noDeepImports = {
  group: ['**/node_modules/**', 'node_modules/**'],
  message: 'Import the package by its name.',
};

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
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
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
      // through src/sanitize.ts (printable, printableLines) on its way to the log.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.name='core'][callee.property.name=/^(info|notice|warning|error|debug|setFailed)$/]:not([arguments.0.callee.name=/^printable(Lines)?$/])",
          message: 'Print through printable() or printableLines() from src/sanitize.ts.',
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
