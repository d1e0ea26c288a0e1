import { defineConfig } from 'vitest/config';

// PTY- and tmux-heavy suites run in forked processes, not worker threads:
// node-pty and child processes behave best with a real process per file.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
  },
});
