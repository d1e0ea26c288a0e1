// @ts-check
/**
 * ESLint, for what the compiler does not see: promises nobody awaits or
 * handles (no-floating-promises) and promises passed where a plain callback
 * is expected (no-misused-promises), both type-aware; React's rules of hooks
 * for the TUI; and the recommended sets, trimmed to rules that find bugs
 * here. Run by `npm run lint` and by `npm test`.
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'fixtures/', 'shell/', 'scripts/', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: {
      // One program over everything, tests included (tsconfig.json leaves test/ out).
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // `const { kind: _kind, ...rest } = x` drops a field on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // A terminal tool matches control characters on purpose (ESC, C0, C1):
      // on today's tree it flagged 9 places and 9 more carried a disable comment;
      // none was a bug.
      'no-control-regex': 'off',
      // Style, not bugs: `/a  b/` in a test reads as what the screen shows.
      'no-regex-spaces': 'off',
    },
  },
);
