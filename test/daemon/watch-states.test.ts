/**
 * The daemon's state machine in process, against real isolated tmux
 * servers, with the restore use case replaced by one the test holds open:
 * a restore that has not returned holds the daemon's saves (a checkpoint
 * never records a half-restored server) but not its watch — it attaches to
 * the server the restore brought up, notices that server's crash at once,
 * queues the next restore behind the one under way, and saves as soon as
 * the restores are over. Stopping waits for a restore, then saves.
 */
import { describe, expect, it } from 'vitest';
import { USE_CASES, type DaemonUseCases } from '../../src/daemon/use-cases.js';
import { count, fastSettings, inProcessDaemons, pid } from '../helpers/in-process-daemon.js';
import { waitFor, type TestServer } from '../helpers/tmux-server.js';

const SETTINGS = fastSettings();

const daemons = inProcessDaemons();

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
    return { checkpointId: 'held', result: result as never, warnings: [], journalProblem: null, handoff: null };
  };
  return { restoreNewest, calls: () => calls, release: () => gates.shift()?.() };
}

const controlClients = (s: TestServer) => s.tmuxTry('list-clients', '-F', '#{client_control_mode}').stdout.split('\n').filter((l) => l === '1').length;

describe('the watch state machine around a restore', () => {
  it('holds saves but keeps watching while a restore has not returned; queues the next restore behind it', async () => {
    const s = daemons.server();
    s.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24');
    const held = heldRestore(s);
    const { entries } = daemons.watch(s, SETTINGS, { ...USE_CASES, restoreNewest: held.restoreNewest });
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
    const s = daemons.server();
    s.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24');
    const held = heldRestore(s);
    const { entries, stop } = daemons.watch(s, SETTINGS, { ...USE_CASES, restoreNewest: held.restoreNewest });
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
