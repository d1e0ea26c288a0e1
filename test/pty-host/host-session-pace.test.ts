/**
 * A hosted session paces a flood to its mirror: once more than
 * MIRROR_PACE.holdAt bytes wait to be parsed it asks the keeper to hold the
 * pty (renewing on every further chunk), and lets go once the mirror is back
 * under MIRROR_PACE.releaseAt — so xterm's own queue (which throws past
 * 50 MB) and the keeper's ring are never overrun by a live host.
 */
import { describe, expect, it } from 'vitest';
import { HostSession, MIRROR_PACE } from '../../src/pty-host/host-session.js';

const spec = { name: 's', id: 'id1', argv: ['sh'], isShell: true, cwd: '/', createdAt: 0, nonce: null };

describe('HostSession pacing', () => {
  it('holds the pty while the mirror is behind, and lets go once it caught up', async () => {
    const paces: boolean[] = [];
    const s = new HostSession(spec, { input: () => {}, resize: () => {}, pace: (hold) => paces.push(hold) }, { cols: 80, rows: 24 }, 1_000);
    try {
      const line = Buffer.from('the quick brown fox jumps over the lazy dog 0123456789 abcdefgh\r\n');
      const chunk = Buffer.concat(Array.from({ length: 4096 }, () => line)); // 264 KiB
      let offset = 0;
      // A flood arrives faster than xterm parses (all in one turn of the event loop).
      while (offset < MIRROR_PACE.holdAt * 2) {
        s.output(offset, chunk);
        offset += chunk.length;
      }
      expect(s.mirror.backlog).toBeGreaterThan(MIRROR_PACE.holdAt);
      expect(paces.length).toBeGreaterThan(1);
      expect(paces.every((hold) => hold)).toBe(true);
      await s.mirror.settled();
      expect(s.mirror.backlog).toBe(0);
      // Exactly one let-go, after the holds, once the mirror was under releaseAt.
      expect(paces.at(-1)).toBe(false);
      expect(paces.filter((hold) => !hold)).toHaveLength(1);
      expect(s.lostBytes).toBe(0);
    } finally {
      s.dispose();
    }
  });

  it('a trickle never holds anything', async () => {
    const paces: boolean[] = [];
    const s = new HostSession(spec, { input: () => {}, resize: () => {}, pace: (hold) => paces.push(hold) }, { cols: 80, rows: 24 });
    try {
      let offset = 0;
      for (let i = 0; i < 200; i++) {
        const data = Buffer.from(`line ${i}\r\n`);
        s.output(offset, data);
        offset += data.length;
      }
      await s.mirror.settled();
      expect(paces).toEqual([]);
    } finally {
      s.dispose();
    }
  });
});
