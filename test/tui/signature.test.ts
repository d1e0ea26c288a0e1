/**
 * A refresh is rendered only when its signature changes. What the screen
 * shows beyond tmux sessions must be in it: a new user revived PTY
 * sessions and their rows stayed "revivable" until the interface restarted,
 * because a change in PTY sessions alone was never rendered.
 */
import { describe, expect, it } from 'vitest';
import { snapshotSignature } from '../../src/tui/view/signature.js';
import type { Snapshot } from '../../src/tui/model.js';
import { sampleWithPty } from './helpers/fake-services.js';

const withPty = (s: Snapshot, change: (p: NonNullable<Snapshot['pty']>['sessions'][number]) => object): Snapshot => ({
  ...s,
  pty: { ...s.pty!, sessions: s.pty!.sessions.map((p, i) => (i === 0 ? { ...p, ...change(p) } : p)) },
});

describe('the snapshot signature', () => {
  const base = sampleWithPty();

  it('is the same for the same snapshot', () => {
    expect(snapshotSignature(structuredClone(base))).toBe(snapshotSignature(base));
  });

  it('changes when a PTY session changes state, or the host starts', () => {
    expect(snapshotSignature(withPty(base, () => ({ kind: 'revivable' })))).not.toBe(snapshotSignature(withPty(base, () => ({ kind: 'running' }))));
    expect(snapshotSignature({ ...base, pty: { ...base.pty!, hostRunning: !base.pty!.hostRunning } })).not.toBe(snapshotSignature(base));
    expect(snapshotSignature({ ...base, pty: null })).not.toBe(snapshotSignature(base));
  });

  it('changes with a new journal line or a watcher in trouble', () => {
    const line = { at: '2026-11-24T10:00:01.000Z', kind: 'action', what: 'save', result: 'ok' } as const;
    expect(snapshotSignature({ ...base, journal: [line] })).not.toBe(snapshotSignature({ ...base, journal: [] }));
    const watcher = { pid: 7, since: '2026-11-24T09:00:00Z' };
    expect(snapshotSignature({ ...base, watcher: { ...watcher, trouble: 'saves fail' } })).not.toBe(snapshotSignature({ ...base, watcher }));
  });
});
