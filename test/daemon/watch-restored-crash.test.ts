/**
 * Defect 13 of issue 11 on a real server, the daemon in process with the
 * real restore: when the server a restore brought back dies before the
 * daemon's client is back on it, no feed can see that crash. It used to
 * journal "restore ok" and then only "server down": sessions left down, the
 * breaker never counting. It must be a crash, restored again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { DEFAULT_WATCH_SETTINGS, watchServer, type WatchSettings } from '../../src/daemon/daemon.js';
import { USE_CASES, type DaemonUseCases } from '../../src/daemon/use-cases.js';
import type { JournalEntry } from '../../src/ops/journal.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';

type Entry = Omit<JournalEntry, 'at'>;

// A long first backoff: after the crash the daemon finds no server and waits, so the restore ends before it probes again.
const SETTINGS: WatchSettings = {
  ...DEFAULT_WATCH_SETTINGS,
  quietMs: 100,
  maxWaitMs: 500,
  intervalMs: 0,
  healthMs: 0,
  autoRestore: true,
  retryMs: { first: 4_000, max: 4_000 },
};

const servers: TestServer[] = [];
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const s of servers.splice(0)) s.kill();
});

const pid = (s: TestServer) => Number(s.tmux('display-message', '-p', '#{pid}').trim());
const count = (entries: readonly Entry[], what: string, result?: string) =>
  entries.filter((e) => e.what === what && (result === undefined || e.result === result)).length;

describe('the restored server dies before the daemon is back on it', () => {
  it('is a crash: journaled, counted by the breaker, restored again', async () => {
    const s = createTestServer();
    servers.push(s);
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
    const ctx = createContext({ socketName: s.name, configFile: '/dev/null', json: false, debug: false }, s.env);
    const entries: Entry[] = [];
    const abort = new AbortController();
    const done = watchServer(ctx, SETTINGS, abort.signal, (e) => entries.push(e), { ...USE_CASES, restoreNewest });
    stops.push(async () => {
      abort.abort();
      await done;
    });
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
