// @ts-check
/**
 * ESLint, for what the compiler does not see: promises nobody awaits or
 * handles (no-floating-promises) and promises passed where a plain callback
 * is expected (no-misused-promises), both type-aware; React's rules of hooks
 * for the TUI; and the recommended sets, trimmed to rules that find bugs
 * here. Run by `npm run lint`.
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * Findings in files other branches own, measured when ESLint came in: shown
 * as warnings so `npm run lint` passes meanwhile. Delete each line once its
 * file is fixed; when the list is empty, lint runs in `npm test`.
 */
const KNOWN_FINDINGS = {
  // setTimeout(tick) with an async tick: a throwing onError would be an unhandled rejection.
  'src/tui/use-refresh.ts': ['@typescript-eslint/no-misused-promises'],
  // `dispatch` is a useCallback with [] deps (stable); the rule cannot tell.
  'src/tui/App.tsx': ['react-hooks/exhaustive-deps'],
  // `let text = ''` whose '' is never read.
  'sessions/health/probes.ts': ['no-useless-assignment'],
  // `seen` assigned and never read.
  'bench/parser.ts': ['@typescript-eslint/no-unused-vars'],
  // `eslint-disable no-control-regex` comments, dead since that rule is off (see below).
  'bench/tui.ts': [],
  'checkpoints/words.ts': [],
  'sessions/restore/shell-quote.ts': [],
  'src/cli/commands/format-table.ts': [],
  'src/tui/view/text.ts': [],
};

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
  ...Object.entries(KNOWN_FINDINGS).map(([file, rules]) => ({
    files: [file],
    linterOptions: { reportUnusedDisableDirectives: /** @type {const} */ ('warn') },
    rules: Object.fromEntries(rules.map((r) => [r, 'warn'])),
  })),
);
