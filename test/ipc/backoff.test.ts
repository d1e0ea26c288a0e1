import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../src/ipc/backoff.js';

describe('backoffDelay', () => {
  it('starts at 50 ms and doubles to 2 s without jitter (random 0)', () => {
    expect(Array.from({ length: 9 }, (_, i) => backoffDelay(i, () => 0))).toEqual([50, 100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 50, maxMs: 2000, jitter: 0.5 });
  });

  it('jitters each delay down to half, never above the cap, even for huge attempt numbers', () => {
    for (let attempt = 0; attempt < 100; attempt += 7) {
      const full = Math.min(2000, 50 * 2 ** attempt);
      const low = backoffDelay(attempt, () => 0.999999);
      expect(low).toBeGreaterThanOrEqual(full / 2);
      expect(low).toBeLessThan(full);
      expect(backoffDelay(attempt, () => 0)).toBe(full);
    }
    expect(backoffDelay(1e9, () => 0.5)).toBe(1500);
  });

  it('spreads many clients out: 1,000 seeded draws for one attempt are not all alike', () => {
    let s = 7;
    const rand = () => ((s = (s * 48271) % 2147483647) / 2147483647);
    const delays = new Set(Array.from({ length: 1000 }, () => backoffDelay(6, rand)));
    expect(delays.size).toBeGreaterThan(500);
  });
});
