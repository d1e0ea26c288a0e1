/**
 * The crash-loop breaker of the PTY host's starts, as a pure policy: open
 * at N crashed starts within the window and not at N-1, what counts as a
 * crash (and what does not: a clean stop, a lost keeper, a host killed
 * after it served), when it closes, and what a client reports.
 */
import { describe, expect, it } from 'vitest';
import {
  crashOf,
  EMPTY_START_HISTORY,
  failedStartSince,
  HOST_START_BREAKER,
  refusalMessage,
  standingRefusal,
  START_HISTORY_MAX,
  startVerdict,
  withRefusal,
  withStart,
  withUpdate,
  type StartHistory,
  type StartRecord,
} from '../../src/pty-host/start-breaker.js';

const policy = { maxCrashes: 3, windowMs: 10_000 };
const T0 = 1_000_000;

/** `n` starts that failed, one a second from `from`. */
function failures(n: number, from = T0): StartRecord[] {
  return Array.from({ length: n }, (_, i) => ({ at: from + i * 1000, pid: 100 + i, end: 'failed' as const, reason: 'EEXIST' }));
}
const history = (starts: StartRecord[], refusedAt: number | null = null): StartHistory => ({ starts, refusedAt });

describe('startVerdict', () => {
  it('start N passes (N-1 crashed starts before it), start N+1 is refused (N crashed)', () => {
    const now = T0 + 5_000;
    expect(startVerdict(history(failures(policy.maxCrashes - 1)), now, policy)).toEqual({ kind: 'start', recent: 2 });
    const open = startVerdict(history(failures(policy.maxCrashes)), now, policy);
    expect(open).toMatchObject({ kind: 'open', windowMs: 10_000 });
    expect(open.kind === 'open' && open.crashes.map((c) => c.pid)).toEqual([100, 101, 102]);
  });

  it('uses 5 in 60 s by default', () => {
    expect(HOST_START_BREAKER).toEqual({ maxCrashes: 5, windowMs: 60_000 });
    expect(startVerdict(history(failures(4)), T0 + 5_000).kind).toBe('start');
    expect(startVerdict(history(failures(5)), T0 + 5_000).kind).toBe('open');
  });

  it('closes when the oldest crash that keeps it open leaves the window', () => {
    const h = history(failures(4)); // at T0, +1 s, +2 s, +3 s
    const open = startVerdict(h, T0 + 5_000, policy);
    // Three of four are needed: the newest three keep it open until T0+1 s + 10 s.
    expect(open).toMatchObject({ kind: 'open', until: T0 + 1_000 + policy.windowMs });
    expect(startVerdict(h, T0 + 1_000 + policy.windowMs - 1, policy).kind).toBe('open');
    expect(startVerdict(h, T0 + 1_000 + policy.windowMs, policy)).toEqual({ kind: 'start', recent: 2 });
  });

  it('counts crashes only within the window', () => {
    const h = history(failures(3, T0));
    expect(startVerdict(h, T0 + policy.windowMs + 2_000, policy)).toEqual({ kind: 'start', recent: 0 });
  });

  it('does not count clean stops, lost keepers or hosts killed after they served', () => {
    const notCrashes: StartRecord[] = [
      { at: T0, pid: 1, readyAt: T0 + 100, end: 'clean' },
      { at: T0 + 1, pid: 2, readyAt: T0 + 101, end: 'keeper-lost' },
      // SIGKILLed (or OOM-killed) after it served: no end recorded, but it was ready.
      { at: T0 + 2, pid: 3, readyAt: T0 + 102 },
      { at: T0 + 3, pid: 4, end: 'clean' },
    ];
    for (const s of notCrashes) expect(crashOf(s), JSON.stringify(s)).toBeNull();
    expect(startVerdict(history([...notCrashes, ...notCrashes]), T0 + 1_000, policy)).toEqual({ kind: 'start', recent: 0 });
  });

  it('counts failed starts, crashes and starts that ended without a word before serving', () => {
    expect(crashOf({ at: T0, pid: 1, end: 'failed', reason: 'no keeper' })).toEqual({ at: T0, pid: 1, how: 'failed', reason: 'no keeper' });
    expect(crashOf({ at: T0, pid: 2, readyAt: T0 + 5, end: 'crashed', reason: 'TypeError' })).toEqual({ at: T0, pid: 2, how: 'crashed', reason: 'TypeError' });
    expect(crashOf({ at: T0, pid: 3 })).toEqual({ at: T0, pid: 3, how: 'never-ready' });
    // Its keeper lost before it served: the start did not work.
    expect(crashOf({ at: T0, pid: 4, end: 'keeper-lost' })).toEqual({ at: T0, pid: 4, how: 'never-ready' });
    const h = history([
      { at: T0, pid: 1, end: 'failed' },
      { at: T0 + 1, pid: 2, readyAt: T0 + 5, end: 'crashed' },
      { at: T0 + 2, pid: 3 },
    ]);
    expect(startVerdict(h, T0 + 1_000, policy).kind).toBe('open');
  });
});

describe('the history', () => {
  it('a start clears a refusal; one by hand forgets the crashes before it', () => {
    const refused = withRefusal(history(failures(3)), T0 + 9_000);
    expect(refused.refusedAt).toBe(T0 + 9_000);
    const next = withStart(refused, { at: T0 + 20_000, pid: 7 }, false);
    expect(next).toEqual({ starts: [...failures(3), { at: T0 + 20_000, pid: 7 }], refusedAt: null });
    const byHand = withStart(refused, { at: T0 + 9_500, pid: 8 }, true);
    expect(byHand).toEqual({ starts: [{ at: T0 + 9_500, pid: 8 }], refusedAt: null });
    expect(startVerdict(byHand, T0 + 9_600, policy).kind).toBe('start');
  });

  it('keeps at most START_HISTORY_MAX starts, the newest', () => {
    let h: StartHistory = EMPTY_START_HISTORY;
    for (let i = 0; i < START_HISTORY_MAX + 1; i++) h = withStart(h, { at: i, pid: i }, false);
    expect(h.starts).toHaveLength(START_HISTORY_MAX);
    expect(h.starts[0]!.pid).toBe(1);
  });

  it('updates the newest start of a pid (pids are reused), and nothing for an unknown pid', () => {
    const h = history([
      { at: 1, pid: 5, end: 'failed' },
      { at: 2, pid: 5 },
    ]);
    expect(withUpdate(h, 5, { readyAt: 3 }).starts).toEqual([
      { at: 1, pid: 5, end: 'failed' },
      { at: 2, pid: 5, readyAt: 3 },
    ]);
    expect(withUpdate(h, 6, { end: 'clean' })).toBe(h);
  });
});

describe('what a client reports', () => {
  it('a refusal only when the last host refused and the breaker is still open', () => {
    const crashes = history(failures(3));
    // Open by the numbers, but no host refused: the last one may still be starting.
    expect(standingRefusal(crashes, T0 + 3_000, policy)).toBeNull();
    const refused = withRefusal(crashes, T0 + 3_000);
    expect(standingRefusal(refused, T0 + 3_500, policy)).toMatchObject({ kind: 'open' });
    // The window passed: the next start may try again.
    expect(standingRefusal(refused, T0 + policy.windowMs + 1_000, policy)).toBeNull();
  });

  it('a failed start only when it began at or after the time asked about', () => {
    const h = history(failures(2));
    expect(failedStartSince(h, T0 + 1_000)).toBe('EEXIST');
    expect(failedStartSince(h, T0 + 1_001)).toBeNull();
    expect(failedStartSince(history([{ at: T0, pid: 1, readyAt: T0 + 1 }]), T0)).toBeNull();
    expect(failedStartSince(EMPTY_START_HISTORY, 0)).toBeNull();
  });

  it('says how long it stays down, where to look and how to start it by hand, in one line', () => {
    const v = startVerdict(history(failures(5)), T0 + 4_500);
    if (v.kind !== 'open') throw new Error('expected the breaker open');
    const line = refusalMessage(v, T0 + 4_500, '/state/host.log');
    expect(line).toBe(
      'The PTY host failed 5 times at start within 60 s, so it is not started again for 56 s (crash-loop breaker); see /state/host.log for why, or run tsession pty-host in a terminal to start it by hand',
    );
    expect(line).not.toContain('\n');
  });
});
