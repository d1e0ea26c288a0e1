import { defineConfig } from 'vitest/config';

// PTY- and tmux-heavy suites run in forked processes, not worker threads:
// node-pty and child processes behave best with a real process per file.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    pool: 'forks',
    // One file at a time: the suites drive real tmux servers, shells and
    // PTYs, and on a 2-core machine two such files at once starve each
    // other's timing-sensitive waits. Sequential costs little here.
    fileParallelism: false,
    // Ink decides at import that a CI run never redraws (is-in-ci); the
    // frame tests render Ink in-process and must see every frame, on a
    // developer's machine and under CI=true alike.
    env: { CI: 'false' },
    // Pins TERM/COLORTERM/FORCE_COLOR, unsets NO_COLOR, fails a test on a process warning.
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
  },
});
