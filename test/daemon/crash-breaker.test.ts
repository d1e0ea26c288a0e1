/**
 * The crash breaker: how many crashes within the window are restored before
 * it opens, and when it closes again.
 */
import { describe, expect, it } from 'vitest';
import { CrashBreaker } from '../../src/daemon/crash-breaker.js';

describe('CrashBreaker', () => {
  it('allows maxRestores crashes within the window, then stays open until old ones age out', () => {
    const b = new CrashBreaker({ maxRestores: 3, windowMs: 600_000 });
    expect([0, 1_000, 2_000].map((at) => b.crashed(at).kind)).toEqual(['restore', 'restore', 'restore']);
    expect(b.crashed(3_000)).toEqual({ kind: 'open', recent: 4, sinceMs: 3_000 });
    expect(b.crashed(600_500).kind).toBe('open'); // 1 s, 2 s, 3 s and 600.5 s are within 10 min
    expect(b.crashed(1_300_000)).toEqual({ kind: 'restore', recent: 1 });
  });
});
