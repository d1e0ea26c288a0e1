/**
 * Defect 5 of issue 11 through the real CLI: `--state-dir /proc/x save` spun
 * at 100 % CPU for ever. It must exit 4 with one line, promptly, and so must
 * a daemon that cannot create its store.
 */
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { createTestServer, waitFor } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';

const afterTest = cleanupAfterEach();

function expectOneLine(r: CliResult): void {
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(lines[0]).toMatch(/^tsession: State dir \/proc\/x cannot be created/);
}

describe('a state dir whose parent refuses new directories (/proc/x)', () => {
  it.each([[['save']], [['--watch']]])('tsession %j exits 4 with one line within seconds', async (args) => {
    const server = createTestServer();
    afterTest(() => server.kill());
    server.tmux('new-session', '-d', '-s', 'main', '-x', '80', '-y', '24');
    await waitFor(() => server.tmux('list-panes', '-F', '#{cursor_x}').trim() !== '0', 10_000, 'shell prompt');
    const started = Date.now();
    // A CLI that spins is killed after 8 s and fails the test (code null).
    const r = await runCli(server, ['--state-dir', '/proc/x', ...args], {}, 8_000);
    expect(r.code).toBe(4);
    expectOneLine(r);
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
