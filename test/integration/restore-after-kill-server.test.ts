/**
 * `tsession restore` right after `tmux kill-server` (issue 11, defect 12):
 * while the old server is still on its way out — here held by a control
 * client that does not read its output, as TMUX-FACTS.md describes — tmux
 * refuses every new client with "server exited unexpectedly". The restore
 * waits a bounded moment for it to be gone instead of calling it frozen.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestServer, waitFor } from '../helpers/tmux-server.js';
import { cleanupAfterEach, stopChild } from '../helpers/teardown.js';

const afterTest = cleanupAfterEach();

describe('restore after kill-server', () => {
  it('waits for the exiting server to be gone, then restores', async () => {
    const s = createTestServer();
    afterTest(() => s.kill());
    s.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24');
    s.tmux('new-window', '-d', '-t', 'work:', '-n', 'logs');
    expect((await runCli(s, ['save'])).code).toBe(0);

    // A control client that stops reading, with output queued for it: kill-server cannot finish.
    const client = spawn('tmux', [...s.tmuxArgs, '-C', 'attach', '-t', 'work'], { env: s.env, stdio: ['pipe', 'pipe', 'ignore'] });
    afterTest(() => {
      try {
        process.kill(client.pid!, 'SIGCONT');
      } catch {
        // already gone
      }
      return stopChild(client);
    });
    let seen = '';
    client.stdout.on('data', (b: Buffer) => (seen += b.toString()));
    await waitFor(() => seen.includes('%session-changed'), 10_000, 'the control client attached');
    process.kill(client.pid!, 'SIGSTOP');
    s.tmux('send-keys', '-t', 'work:0', 'yes | head -c 3000000', 'Enter');
    await new Promise((r) => setTimeout(r, 500));
    s.tmuxTry('kill-server');
    expect(s.tmuxTry('list-sessions').stderr).toMatch(/server exited unexpectedly/);

    // The client goes a moment later; the old server then exits on its own.
    setTimeout(() => process.kill(client.pid!, 'SIGKILL'), 300);
    const t0 = Date.now();
    const r = await runCli(s, ['restore']);
    expect(r.stderr).not.toMatch(/refuses commands/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/restored work \(2 windows/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(s.tmux('list-windows', '-t', 'work', '-F', '#{window_name}').trim().split('\n')).toHaveLength(2);
  });
});
