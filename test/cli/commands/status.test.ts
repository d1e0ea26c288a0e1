/**
 * `tsession status` says whether the tmux server itself runs and answers,
 * first: after a crash it is where a person looks (a new user saw it talk
 * of the daemon and the journal only, with the server down). Real isolated
 * server: running, stopped with SIGSTOP, gone.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { createTestServer, tempDir } from '../../helpers/tmux-server.js';
import { cleanupAfterEach } from '../../helpers/teardown.js';

const afterTest = cleanupAfterEach();

describe('tsession status', () => {
  it('says the server runs, does not answer, or is not running', async () => {
    const server = createTestServer();
    const dir = tempDir('tsession-status-');
    afterTest(() => server.kill(), dir.cleanup);
    const env = { TSESSION_STATE_DIR: join(dir.path, 'state') };
    server.tmux('new-session', '-d', '-s', 'one', '-x', '80', '-y', '24');

    const up = await runCli(server, ['status'], env);
    expect(up.code).toBe(0);
    expect(up.stdout.split('\n')[0]).toMatch(/^tmux server -L \S+ \(.+\): running, 1 session$/);
    expect(JSON.parse((await runCli(server, ['status', '--json'], env)).stdout)).toMatchObject({ server: { state: { kind: 'running', sessions: 1 } } });

    const pid = Number(server.tmux('display', '-p', '#{pid}').trim());
    process.kill(pid, 'SIGSTOP');
    try {
      const stopped = await runCli(server, ['status'], env);
      expect(stopped.stdout.split('\n')[0]).toMatch(/: NOT ANSWERING \(.+; tsession -L \S+ unfreeze --dry-run says why\)$/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }

    server.tmux('kill-server');
    const down = await runCli(server, ['status'], env);
    expect(down.stdout.split('\n')[0]).toMatch(/: NOT RUNNING$/);
  }, 60_000);
});
