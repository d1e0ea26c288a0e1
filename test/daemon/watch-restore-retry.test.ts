/**
 * Defect 15 of issue 11 on a real server, the daemon in process: an
 * automatic restore that fails (here the use case fails its first tries the
 * way a restore rolled back under load does, then runs the real restore) is
 * tried again after a growing wait, each try journaled, up to the tries a
 * crash gets (a failed try is no crash: the breaker's budget is untouched);
 * a failure no retry can fix (no checkpoint) is not retried.
 */
import { describe, expect, it } from 'vitest';
import type { WatchSettings } from '../../src/daemon/daemon.js';
import { USE_CASES, type DaemonUseCases } from '../../src/daemon/use-cases.js';
import { EXIT } from '../../src/exit-codes.js';
import { UserError } from '../../src/user-error.js';
import { fastSettings, inProcessDaemons, pid } from '../helpers/in-process-daemon.js';
import { waitFor } from '../helpers/tmux-server.js';

const SETTINGS = fastSettings({ restoreRetryMs: { first: 200, max: 400 } });

const daemons = inProcessDaemons();

/** A restore use case whose first `failing` tries fail (journaled as the op journals them) with `error`. */
function failingFirst(failing: number, error: () => Error) {
  const state = { failing, calls: [] as { cause: string; at: number }[] };
  const restoreNewest: DaemonUseCases['restoreNewest'] = async (ctx, how) => {
    state.calls.push({ cause: how.cause, at: Date.now() });
    if (state.calls.length > state.failing) return USE_CASES.restoreNewest(ctx, how);
    const e = error();
    await how.journal([{ kind: 'action', what: 'restore', cause: how.cause, result: 'failed', detail: e.message, durationMs: 0 }]);
    throw e;
  };
  return {
    restoreNewest,
    get calls() {
      return state.calls;
    },
    set failing(n: number) {
      state.failing = n;
    },
  };
}

const rolledBack = () => new UserError('restore of work failed and was rolled back: tmux timed out after 3000 ms', EXIT.failed);

async function crashWatched(settings: WatchSettings, restoreNewest: DaemonUseCases['restoreNewest']) {
  const s = daemons.server();
  s.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24');
  const { entries } = daemons.watch(s, settings, { ...USE_CASES, restoreNewest });
  await waitFor(() => entries.some((e) => e.what === 'save' && e.result === 'ok'), 15_000, 'the first save');
  process.kill(pid(s), 'SIGKILL');
  return { s, entries };
}

describe('a failed automatic restore', () => {
  it('is tried again after a growing wait until it works; every try journaled', async () => {
    const uc = failingFirst(2, rolledBack);
    const { s, entries } = await crashWatched(SETTINGS, uc.restoreNewest);
    await waitFor(() => entries.some((e) => e.what === 'restore' && e.result === 'ok'), 15_000, 'a restore that worked');
    await waitFor(() => s.tmuxTry('has-session', '-t', '=work').status === 0, 5_000, 'work back');
    expect(uc.calls.map((c) => c.cause)).toEqual([
      'server crashed (1 within the breaker window)',
      'server crashed (1 within the breaker window); try 2, 0.2 s after a failed one',
      'server crashed (1 within the breaker window); try 3, 0.4 s after a failed one',
    ]);
    expect(uc.calls[1]!.at - uc.calls[0]!.at).toBeGreaterThanOrEqual(190);
    expect(uc.calls[2]!.at - uc.calls[1]!.at).toBeGreaterThanOrEqual(390);
    expect(entries.filter((e) => e.what === 'restore').map((e) => e.result)).toEqual(['failed', 'failed', 'ok']);
    expect(entries.some((e) => e.what === 'restore-breaker-open')).toBe(false);
  });

  it('stops after the tries a crash gets, says so, and leaves the breaker for the next crash', async () => {
    const uc = failingFirst(99, rolledBack);
    const { s, entries } = await crashWatched(SETTINGS, uc.restoreNewest);
    const gaveUp = await waitFor(() => entries.find((e) => e.what === 'restore-gave-up'), 15_000, 'the daemon giving up');
    expect(gaveUp.evidence).toEqual([expect.stringMatching(/^4 tries failed, the last: restore of work failed and was rolled back/)]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(uc.calls).toHaveLength(4);
    expect(entries.some((e) => e.what === 'restore-breaker-open')).toBe(false);
    // Failed tries spent none of the breaker's budget (3): two more crashes are still restored.
    uc.failing = 0;
    s.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24');
    for (let crash = 2; crash <= 3; crash++) {
      await waitFor(() => entries.filter((e) => e.what === 'server-up').length >= crash - 1 && entries.at(-1)?.what === 'save', 15_000, `watched again (${crash})`);
      process.kill(pid(s), 'SIGKILL');
      await waitFor(() => entries.filter((e) => e.what === 'restore' && e.result === 'ok').length >= crash - 1, 15_000, `restore after crash ${crash}`);
    }
    expect(entries.some((e) => e.what === 'restore-breaker-open')).toBe(false);
  });

  it('is not tried again when no retry can help (no checkpoint)', async () => {
    const uc = failingFirst(99, () => new UserError('no good checkpoint for tmux server -L x', EXIT.noCheckpoint));
    const { entries } = await crashWatched(SETTINGS, uc.restoreNewest);
    await waitFor(() => entries.some((e) => e.what === 'restore' && e.result === 'failed'), 15_000, 'the failed restore');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(uc.calls).toHaveLength(1);
  });
});
