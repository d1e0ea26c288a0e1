/**
 * Defect 13 of issue 11 on a real server, the daemon in process with the
 * real restore: when the server a restore brought back dies before the
 * daemon's client is back on it, no feed can see that crash. It used to
 * journal "restore ok" and then only "server down": sessions left down, the
 * breaker never counting. It must be a crash, restored again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { USE_CASES, type DaemonUseCases } from '../../src/daemon/use-cases.js';
import { count, fastSettings, inProcessDaemons, pid } from '../helpers/in-process-daemon.js';
import { waitFor } from '../helpers/tmux-server.js';

// A long first backoff: after the crash the daemon finds no server and waits, so the restore ends before it probes again.
const SETTINGS = fastSettings({ retryMs: { first: 4_000, max: 4_000 } });

const daemons = inProcessDaemons();

describe('the restored server dies before the daemon is back on it', () => {
  it('is a crash: journaled, counted by the breaker, restored again', async () => {
    const s = daemons.server();
    s.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24');
    let calls = 0;
    const restoreNewest: DaemonUseCases['restoreNewest'] = async (ctx, how) => {
      calls++;
      if (calls > 1) return USE_CASES.restoreNewest(ctx, how);
      // The daemon has probed the missing server by now and waits out its backoff.
      await sleep(300);
      const r = await USE_CASES.restoreNewest(ctx, how);
      // The restored server dies the moment the restore is over.
      process.kill(pid(s), 'SIGKILL');
      await waitFor(() => s.tmuxTry('has-session').status !== 0, 5_000, 'the restored server gone');
      return r;
    };
    const { entries } = daemons.watch(s, SETTINGS, { ...USE_CASES, restoreNewest });
    await waitFor(() => count(entries, 'save', 'ok') === 1, 15_000, 'the first save');

    process.kill(pid(s), 'SIGKILL');
    await waitFor(() => count(entries, 'restore', 'ok') === 1, 15_000, 'the first restore');
    // Well before the daemon's 4 s backoff would have ended: the restore's end wakes it.
    await waitFor(() => count(entries, 'server-crashed') === 2, 2_000, 'the restored server’s crash noticed');
    const second = entries.filter((e) => e.what === 'server-crashed')[1]!;
    expect(second.evidence?.[0]).toBe('the server a restore just brought back is gone before the daemon attached to it');
    await waitFor(() => count(entries, 'restore', 'ok') === 2, 15_000, 'the second restore');
    expect(entries.find((e) => e.what === 'restore' && e.result === 'ok' && e !== entries.find((x) => x.what === 'restore'))?.cause).toMatch(/^server crashed \(2 within the breaker window\)/);
    await waitFor(() => s.tmuxTry('has-session', '-t', '=work').status === 0, 5_000, 'work back');
  });
});
