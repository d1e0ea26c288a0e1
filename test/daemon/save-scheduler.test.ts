/**
 * When saves run: a burst of notifications becomes one save, a long burst is
 * cut at maxWaitMs, the interval runs when nothing is notified, saves never
 * overlap, and pause/stop drop or wait as they say.
 */
import { describe, expect, it } from 'vitest';
import { SaveScheduler, type Timers } from '../../src/daemon/save-scheduler.js';

/** Timers driven by hand: `advance(ms)` runs what falls due, in order. */
function fakeTimers() {
  let now = 0;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++seq;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h) => void due.delete(h as number),
  };
  const advance = async (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = [...due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      due.delete(next[0]);
      now = next[1].at;
      next[1].fn();
      await new Promise((r) => setImmediate(r));
    }
    now = end;
    await new Promise((r) => setImmediate(r));
  };
  return { timers, advance, pending: () => due.size };
}

describe('SaveScheduler', () => {
  const schedule = { quietMs: 1_000, maxWaitMs: 5_000, intervalMs: 60_000 };

  it('a burst of notifications becomes one save after the quiet time, with every cause', async () => {
    const t = fakeTimers();
    const runs: { at: number; causes: readonly string[] }[] = [];
    const s = new SaveScheduler(schedule, async (causes) => void runs.push({ at: t.timers.now(), causes }), t.timers);
    s.poke('window-add');
    await t.advance(500);
    s.poke('layout-change');
    s.poke('window-add');
    await t.advance(999);
    expect(runs).toEqual([]);
    await t.advance(1);
    expect(runs).toEqual([{ at: 1_500, causes: ['window-add', 'layout-change'] }]);
  });

  it('a burst that never goes quiet is saved at maxWaitMs after its first notification', async () => {
    const t = fakeTimers();
    const runs: number[] = [];
    const s = new SaveScheduler(schedule, async () => void runs.push(t.timers.now()), t.timers);
    for (let i = 0; i < 30; i++) {
      s.poke('layout-change');
      await t.advance(400);
    }
    expect(runs[0]).toBe(5_000);
    expect(runs[1]).toBe(10_200); // the next burst began at 5,200
  });

  it('saves every intervalMs when nothing is notified, counted from the last save', async () => {
    const t = fakeTimers();
    const runs: [number, string][] = [];
    const s = new SaveScheduler(schedule, async (c) => void runs.push([t.timers.now(), c.join()]), t.timers);
    s.start();
    await t.advance(60_000);
    s.poke('window-add');
    await t.advance(1_000);
    await t.advance(60_000);
    expect(runs).toEqual([
      [60_000, 'interval'],
      [61_000, 'window-add'],
      [121_000, 'interval'],
    ]);
  });

  it('never overlaps saves and keeps going after one fails', async () => {
    const t = fakeTimers();
    let running = 0;
    let most = 0;
    const done: string[] = [];
    const s = new SaveScheduler(
      schedule,
      async (c) => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (c.includes('bad')) throw new Error('disk full');
        done.push(c.join());
      },
      t.timers,
    );
    await Promise.all([s.saveNow('bad'), s.saveNow('a'), s.saveNow('b')]);
    expect(most).toBe(1);
    expect(done).toEqual(['a', 'b']);
  });

  it('pause drops the pending burst and the interval; stop waits for the save under way', async () => {
    const t = fakeTimers();
    const runs: string[] = [];
    let release!: () => void;
    const s = new SaveScheduler(
      schedule,
      async (c) => {
        if (c.includes('slow')) await new Promise<void>((r) => (release = r));
        runs.push(c.join());
      },
      t.timers,
    );
    s.start();
    s.poke('window-add');
    void s.pause();
    expect(t.pending()).toBe(0);
    await t.advance(120_000);
    expect(runs).toEqual([]);
    await s.saveNow('while paused');
    expect(runs).toEqual([]);
    s.start();
    void s.saveNow('slow');
    await new Promise((r) => setImmediate(r)); // the save has started: stop waits for it
    let stopped = false;
    const stopping = s.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(runs).toEqual(['slow']);
    s.poke('window-add');
    expect(t.pending()).toBe(0);
  });
});
