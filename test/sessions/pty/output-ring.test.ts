/** The keeper's output ring: absolute offsets, exact bytes, and how much fell off — at the capacity and one past it. */
import { describe, expect, it } from 'vitest';
import { OutputRing } from '../../../sessions/pty/output-ring.js';

const bytes = (from: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) % 251));

describe('OutputRing', () => {
  it('holds everything up to its capacity, with nothing lost', () => {
    const r = new OutputRing(16);
    r.push(bytes(0, 10));
    r.push(bytes(10, 6));
    expect(r.readFrom(0)).toEqual({ from: 0, data: bytes(0, 16), lost: 0 });
    expect(r.readFrom(7)).toEqual({ from: 7, data: bytes(7, 9), lost: 0 });
  });

  it('one byte past capacity: the oldest byte is gone and counted', () => {
    const r = new OutputRing(16);
    r.push(bytes(0, 17));
    expect(r.start).toBe(1);
    expect(r.readFrom(0)).toEqual({ from: 1, data: bytes(1, 16), lost: 1 });
  });

  it('wraps around at every split and still reads exact bytes', () => {
    for (let split = 1; split < 40; split++) {
      const r = new OutputRing(16);
      let at = 0;
      while (at < 100) {
        const n = Math.min(split, 100 - at);
        r.push(bytes(at, n));
        at += n;
      }
      expect(r.end).toBe(100);
      expect(r.readFrom(90)).toEqual({ from: 90, data: bytes(90, 10), lost: 0 });
      expect(r.readFrom(50)).toEqual({ from: 84, data: bytes(84, 16), lost: 34 });
    }
  });

  it('a chunk larger than the ring keeps only its tail', () => {
    const r = new OutputRing(8);
    r.push(bytes(0, 3));
    r.push(bytes(3, 50));
    expect(r.readFrom(0)).toEqual({ from: 45, data: bytes(45, 8), lost: 45 });
  });

  it('starts small and grows by doubling to its capacity, bytes intact across every growth', () => {
    const r = new OutputRing(100_000);
    expect(r.allocated).toBe(16 * 1024);
    let at = 0;
    for (const n of [10_000, 7_000, 30_000, 1, 50_000, 40_000, 3]) {
      r.push(bytes(at, n));
      at += n;
      expect(r.readFrom(Math.max(0, at - 9_000))).toEqual({ from: Math.max(0, at - 9_000), data: bytes(Math.max(0, at - 9_000), Math.min(at, 9_000)), lost: 0 });
    }
    expect(r.allocated).toBe(100_000);
    expect(r.readFrom(0)).toEqual({ from: at - 100_000, data: bytes(at - 100_000, 100_000), lost: at - 100_000 });
  });

  it('reads in pieces of at most maxBytes', () => {
    const r = new OutputRing(32);
    r.push(bytes(0, 20));
    expect(r.readFrom(4, 5)).toEqual({ from: 4, data: bytes(4, 5), lost: 0 });
    expect(r.readFrom(25).data.length).toBe(0);
  });
});
