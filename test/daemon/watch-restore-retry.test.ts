/**
 * Defect 15 of issue 11 on a real server, the daemon in process: an
 * automatic restore that fails (here the use case fails its first tries the
 * way a restore rolled back under load does, then runs the real restore) is
 * tried again after a growing wait, each try journaled and each retry
 * spending the breaker's budget; a failure no retry can fix (no checkpoint)
 * is not retried.
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
  const calls: { cause: string; at: number }[] = [];
  const restoreNewest: DaemonUseCases['restoreNewest'] = async (ctx, how) => {
    calls.push({ cause: how.cause, at: Date.now() });
    if (calls.length > failing) return USE_CASES.restoreNewest(ctx, how);
    const e = error();
    await how.journal([{ kind: 'action', what: 'restore', cause: how.cause, result: 'failed', detail: e.message, durationMs: 0 }]);
    throw e;
  };
  return { restoreNewest, calls };
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

  it("stops when the breaker's budget is spent, and says so", async () => {
    const uc = failingFirst(99, rolledBack);
    const { entries } = await crashWatched(SETTINGS, uc.restoreNewest);
    const open = await waitFor(() => entries.find((e) => e.what === 'restore-breaker-open'), 15_000, 'the breaker open');
    expect(open.evidence).toEqual([expect.stringMatching(/^4 restores within \d+ s \(limit 3\), the last 3 failed$/)]);
    await new Promise((r) => setTimeout(r, 1_000));
    // One restore for the crash and two retries: the budget of 3.
    expect(uc.calls).toHaveLength(3);
  });

  it('is not tried again when no retry can help (no checkpoint)', async () => {
    const uc = failingFirst(99, () => new UserError('no good checkpoint for tmux server -L x', EXIT.noCheckpoint));
    const { entries } = await crashWatched(SETTINGS, uc.restoreNewest);
    await waitFor(() => entries.some((e) => e.what === 'restore' && e.result === 'failed'), 15_000, 'the failed restore');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(uc.calls).toHaveLength(1);
  });
});
