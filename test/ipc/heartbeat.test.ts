import { describe, expect, it } from 'vitest';
import { CHECKS_PER_INTERVAL, DEFAULT_HEARTBEAT, Heartbeat } from '../../src/ipc/heartbeat.js';

const STEP = DEFAULT_HEARTBEAT.intervalMs / CHECKS_PER_INTERVAL;

/** Check every STEP ms from `from` to `to`; the first time the peer counts as not answering, or null. */
function firstNotAnswering(hb: Heartbeat, from: number, to: number, heardAt: readonly number[] = []): number | null {
  for (let t = from; t <= to; t += STEP) {
    for (const h of heardAt) if (h > t - STEP && h <= t) hb.alive(h);
    if (hb.check(t).notAnswering) return t;
  }
  return null;
}

describe('Heartbeat', () => {
  it('pings every second, checks ten times a second, and calls a peer silent from the start not answering at 3 s', () => {
    expect(DEFAULT_HEARTBEAT).toEqual({ intervalMs: 1000, misses: 3 });
    expect(firstNotAnswering(new Heartbeat(0), STEP, 10_000)).toBe(3000);
  });

  it('a peer that stops answering is not answering 3 s after its last frame', () => {
    // Pongs ~10 ms after each ping at 0, 1000, 2000; then it hangs.
    const at = firstNotAnswering(new Heartbeat(0), STEP, 20_000, [10, 1010, 2010])!;
    expect(at).toBeGreaterThanOrEqual(2010 + 3000);
    expect(at).toBeLessThan(2010 + 3000 + STEP);
  });

  it('any frame from the peer ends the verdict: it answers again', () => {
    const hb = new Heartbeat(0);
    expect(hb.check(3000).notAnswering).toBe(false); // a jump of 3 s is a stall, not silence
    const hb2 = new Heartbeat(0);
    expect(firstNotAnswering(hb2, STEP, 3000)).toBe(3000);
    hb2.alive(3100);
    expect(hb2.check(3000 + STEP).notAnswering).toBe(false);
  });

  it('a peer that answers every ping is never not answering', () => {
    const pongs = Array.from({ length: 60 }, (_, i) => i * 1000 + 5);
    expect(firstNotAnswering(new Heartbeat(0), STEP, 60_000, pongs)).toBeNull();
  });

  it('a check far later than planned (our loop stalled: a suspend, a SIGSTOP) counts the silence afresh', () => {
    const hb = new Heartbeat(0);
    expect(firstNotAnswering(hb, STEP, 2000)).toBeNull();
    expect(hb.check(2000 + 60_000)).toEqual({ notAnswering: false, stalled: true });
    expect(hb.silenceMs(62_000)).toBe(0);
    // The peer still has the usual three intervals to answer after the stall.
    expect(firstNotAnswering(hb, 62_000 + STEP, 70_000)).toBe(65_000);
  });

  it('checks somewhat late under load still count (only a gap over one interval is a stall)', () => {
    const hb = new Heartbeat(0);
    let verdict = false;
    for (let t = 900; t <= 3600 && !verdict; t += 900) verdict = hb.check(t).notAnswering; // 9 × STEP apart
    expect(verdict).toBe(true);
  });
});
