import { describe, expect, it } from 'vitest';
import { DEFAULT_HEARTBEAT, Heartbeat } from '../../src/ipc/heartbeat.js';

/** Tick a heartbeat at the given monotonic times, returning each verdict's notAnswering. */
const ticks = (hb: Heartbeat, times: readonly number[]) => times.map((t) => hb.tick(t).notAnswering);

describe('Heartbeat', () => {
  it('pings every second and calls a peer silent from the start not answering at the third tick', () => {
    expect(DEFAULT_HEARTBEAT).toEqual({ intervalMs: 1000, misses: 3 });
    const hb = new Heartbeat(0);
    expect(ticks(hb, [1000, 2000, 3000])).toEqual([false, false, true]);
    expect(hb.missedCount).toBe(3);
  });

  it('any frame from the peer resets the count, and it is answering again', () => {
    const hb = new Heartbeat(0);
    expect(ticks(hb, [1000, 2000, 3000])).toEqual([false, false, true]);
    hb.alive();
    expect(ticks(hb, [4000, 5000])).toEqual([false, false]);
    expect(hb.missedCount).toBe(1);
  });

  it('a peer that answers every ping is never not answering', () => {
    const hb = new Heartbeat(0);
    for (let t = 1000; t < 60_000; t += 1000) {
      hb.alive();
      expect(hb.tick(t).notAnswering).toBe(false);
    }
  });

  it('a tick far later than planned (our loop stalled: a suspend, SIGSTOP) starts the count over instead of counting', () => {
    const hb = new Heartbeat(0);
    expect(ticks(hb, [1000, 2000])).toEqual([false, false]);
    expect(hb.tick(2000 + 60_000)).toEqual({ notAnswering: false, stalled: true });
    expect(hb.missedCount).toBe(0);
    // The peer still has the usual three intervals to answer after the stall.
    expect(ticks(hb, [63_000, 64_000, 65_000])).toEqual([false, false, true]);
  });

  it('a slightly late tick under load still counts (only a gap over two intervals is a stall)', () => {
    const hb = new Heartbeat(0);
    expect(ticks(hb, [1900, 3800, 5700])).toEqual([false, false, true]);
  });
});
