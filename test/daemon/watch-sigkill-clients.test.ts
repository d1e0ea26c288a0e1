/**
 * Defect 16 of issue 11 on a real server: a SIGKILLed daemon must not leave
 * a `tmux -C` client behind. Such a client, holding output tmux cannot
 * deliver, stops `kill-server` from completing, and every later command
 * fails with "server exited unexpectedly" until it is killed by pid
 * (TMUX-FACTS.md, "Hazard"). The daemon's clients die with it.
 */
import { describe, expect, it } from 'vitest';
import { readStat } from '../../sessions/proc/facts.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { createTestServer, waitFor } from '../helpers/tmux-server.js';
import { journalUntil, startWatch } from '../helpers/watch-daemon.js';

const afterTest = cleanupAfterEach();

const alive = (pid: number) => {
  const st = readStat(pid);
  return st !== null && st.state !== 'Z';
};

describe('a SIGKILLed daemon', () => {
  it('leaves no control client: kill-server completes at once and the socket serves a new server', async () => {
    const s = createTestServer();
    const clients: number[] = [];
    // Teardown even when the test fails: a wedged server only goes once its clients do.
    afterTest(() => {
      for (const pid of clients) if (alive(pid)) process.kill(pid, 'SIGKILL');
      s.kill();
    });
    s.tmux('new-session', '-d', '-s', 'quiet', '-x', '80', '-y', '24');
    // A pane that never stops writing: tmux always has output queued for the daemon's clients.
    s.tmux('new-session', '-d', '-s', 'loud', '-x', '80', '-y', '24', 'yes "$(printf %0200d 0)"');
    const d = startWatch(s, afterTest, ['--markers', '--interval', '0', '--health', '0']);
    await journalUntil(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');
    // One event client and one output client per session.
    const listed = await waitFor(() => {
      const pids = s.tmux('list-clients', '-F', '#{client_pid}').trim().split('\n').filter(Boolean).map(Number);
      return pids.length === 3 ? pids : null;
    }, 15_000, 'three control clients');
    clients.push(...listed);
    const serverPid = Number(s.tmux('display-message', '-p', '#{pid}').trim());

    d.child.kill('SIGKILL');
    await d.exited;
    await waitFor(() => clients.every((pid) => !alive(pid)), 3_000, 'every control client gone with the daemon');
    const t0 = Date.now();
    expect(s.tmuxTry('kill-server').status).toBe(0);
    await waitFor(() => !alive(serverPid), 3_000, 'the server gone after kill-server');
    expect(Date.now() - t0).toBeLessThan(3_000);
    // The socket serves a new server at once: nothing says "server exited unexpectedly".
    const fresh = s.tmuxTry('new-session', '-d', '-s', 'again');
    expect(fresh.stderr).toBe('');
    expect(fresh.status).toBe(0);
  });
});
