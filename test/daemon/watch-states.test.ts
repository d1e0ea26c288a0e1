/**
 * The daemon's state machine in process, against real isolated tmux
 * servers, with the restore use case replaced by one the test holds open:
 * a restore that has not returned holds the daemon's saves (a checkpoint
 * never records a half-restored server) but not its watch — it attaches to
 * the server the restore brought up, notices that server's crash at once,
 * queues the next restore behind the one under way, and saves as soon as
 * the restores are over. Stopping waits for a restore, then saves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/ops/journal.js';
import { DEFAULT_WATCH_SETTINGS, watchServer, type WatchSettings } from '../../src/daemon/daemon.js';
import { USE_CASES, type DaemonUseCases } from '../../src/daemon/use-cases.js';
import { createContext } from '../../src/context.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';

type Entry = Omit<JournalEntry, 'at'>;

const SETTINGS: WatchSettings = { ...DEFAULT_WATCH_SETTINGS, quietMs: 100, maxWaitMs: 500, intervalMs: 0, healthMs: 0, autoRestore: true };

const servers: TestServer[] = [];
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const s of servers.splice(0)) s.kill();
});

/** A restore use case that brings a session up (as a restore would) and returns only when released. */
function heldRestore(s: TestServer) {
  const gates: (() => void)[] = [];
  let calls = 0;
  const restoreNewest: DaemonUseCases['restoreNewest'] = async (_ctx, how) => {
    calls++;
    // Another name than the crashed server's session: its save can never read as "unchanged".
    s.tmux('new-session', '-d', '-s', 'restored', '-x', '80', '-y', '24');
    await new Promise<void>((resolve) => gates.push(resolve));
    const result = { restored: [{ name: 'restored', windows: 1, panes: 1 }], skipped: [], notes: [], typed: [] };
    await how.journal([{ kind: 'action', what: 'restore', cause: how.cause, result: 'ok', detail: 'restored restored', durationMs: 0 }]);
    return { checkpointId: 'held', result: result as never, warnings: [], journalProblem: null };
  };
  return { restoreNewest, calls: () => calls, release: () => gates.shift()?.() };
}

/** Start the daemon in process; returns its journal and a stop that waits for its end. */
function watch(s: TestServer, useCases: DaemonUseCases) {
  const ctx = createContext({ socketName: s.name, configFile: '/dev/null', json: false, debug: false }, s.env);
  const entries: Entry[] = [];
  const abort = new AbortController();
  const done = watchServer(ctx, SETTINGS, abort.signal, (e) => entries.push(e), useCases);
  const stop = async () => {
    abort.abort();
    await done;
  };
  stops.push(stop);
  return { entries, stop };
}

const pid = (s: TestServer) => Number(s.tmux('display-message', '-p', '#{pid}').trim());
const controlClients = (s: TestServer) => s.tmuxTry('list-clients', '-F', '#{client_control_mode}').stdout.split('\n').filter((l) => l === '1').length;
const count = (entries: readonly Entry[], what: string, result?: string) =>
  entries.filter((e) => e.what === what && (result === undefined || e.result === result)).length;

describe('the watch state machine around a restore', () => {
  it('holds saves but keeps watching while a restore has not returned; queues the next restore behind it', async () => {
    const s = createTestServer();
    servers.push(s);
    s.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24');
    const held = heldRestore(s);
    const { entries } = watch(s, { ...USE_CASES, restoreNewest: held.restoreNewest });
    await waitFor(() => count(entries, 'save', 'ok') === 1, 15_000, 'the first save');

    process.kill(pid(s), 'SIGKILL');
    await waitFor(() => count(entries, 'server-crashed') === 1, 10_000, 'the crash');
    // The restore brought a server up and has not returned: the daemon follows that server already...
    await waitFor(() => controlClients(s) === 1, 10_000, 'the daemon attached while the restore runs');
    // ...but saves nothing of it, even when tmux notifies a change.
    s.tmux('rename-window', '-t', 'restored', 'renamed');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(count(entries, 'save')).toBe(1);

    // That server crashes too: noticed at once; its restore waits for the one under way.
    process.kill(pid(s), 'SIGKILL');
    await waitFor(() => count(entries, 'server-crashed') === 2, 5_000, 'the second crash, while the first restore runs');
    expect(held.calls()).toBe(1);
    expect(count(entries, 'restore')).toBe(0);

    held.release();
    await waitFor(() => held.calls() === 2, 5_000, 'the queued restore started');
    expect(count(entries, 'restore', 'ok')).toBe(1);
    expect(count(entries, 'save')).toBe(1);
    held.release();
    const save = await waitFor(() => entries.slice(entries.map((e) => e.what).lastIndexOf('restore')).find((e) => e.what === 'save'), 10_000, 'a save after the last restore');
    expect(save).toMatchObject({ result: 'ok', cause: expect.stringMatching(/watch attached/) });
    expect(count(entries, 'restore', 'ok')).toBe(2);
  });

  it('stopping waits for a restore under way, then makes the final save', async () => {
    const s = createTestServer();
    servers.push(s);
    s.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24');
    const held = heldRestore(s);
    const { entries, stop } = watch(s, { ...USE_CASES, restoreNewest: held.restoreNewest });
    await waitFor(() => count(entries, 'save', 'ok') === 1, 15_000, 'the first save');
    process.kill(pid(s), 'SIGKILL');
    await waitFor(() => controlClients(s) === 1, 10_000, 'the daemon attached while the restore runs');
    let stopped = false;
    const stopping = stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(stopped).toBe(false);
    held.release();
    await stopping;
    expect(entries.slice(-2).map((e) => `${e.what}:${e.result}:${e.cause}`)).toEqual([
      expect.stringMatching(/^restore:ok:server crashed/),
      'save:ok:watch stopping',
    ]);
    expect(controlClients(s)).toBe(0);
  });
});
