/** Why each checkpoint was made, read from the journal the watch daemon writes. */
import { describe, expect, it } from 'vitest';
import { checkpointCauses } from '../../src/ops/checkpoints.js';
import type { JournalEntry } from '../../src/ops/journal.js';

const save = (at: string, id: string, cause: string, result: JournalEntry['result'] = 'ok'): JournalEntry => ({ at, kind: 'action', what: 'save', cause, result, detail: `${id} (1 session, 2 panes)` });

describe('checkpointCauses', () => {
  it('names daemon saves by their cause, the rest the journal covers as by hand, older ones unknown', () => {
    const journal: JournalEntry[] = [
      { at: '2026-12-03T09:00:00.000Z', kind: 'daemon', what: 'started' },
      save('2026-12-03T09:00:01.000Z', 'c1', 'watch attached'),
      save('2026-12-03T09:01:00.000Z', 'c2', 'window-add, layout-change'),
      save('2026-12-03T09:02:00.000Z', 'c3', 'interval'),
      save('2026-12-03T09:03:00.000Z', 'c4', 'watch stopping'),
      save('2026-12-03T09:04:00.000Z', 'cx', 'interval', 'failed'),
    ];
    const at = (id: string, createdAt: string) => ({ id, createdAt });
    const causes = checkpointCauses(
      [at('c0', '2026-12-03T08:00:00.000Z'), at('c1', '2026-12-03T09:00:01.000Z'), at('c2', '2026-12-03T09:01:00.000Z'), at('c3', '2026-12-03T09:02:00.000Z'), at('c4', '2026-12-03T09:03:00.000Z'), at('h', '2026-12-03T09:05:00.000Z')],
      journal,
    );
    expect(Object.fromEntries(causes)).toEqual({
      c0: 'unknown',
      c1: 'watch started',
      c2: 'after a change (window-add, layout-change)',
      c3: 'interval',
      c4: 'watch stopping',
      h: 'by hand',
    });
  });

  it('with no journal at all, every checkpoint was made by hand', () => {
    expect(checkpointCauses([{ id: 'a', createdAt: '2026-12-03T09:00:00.000Z' }], []).get('a')).toBe('by hand');
  });
});
