/** Comparing a live session with its checkpoint. */
import { describe, expect, it } from 'vitest';
import { compareSessions, normalizeLayout } from '../../../sessions/live/compare.js';
import { sessionRecord as session } from '../../helpers/records.js';

describe('normalizeLayout', () => {
  it('compares layouts without checksums and pane ids', () => {
    expect(normalizeLayout('95e4,120x40,0,0{60x40,0,0,0,59x40,61,0[59x20,61,0,1,59x19,61,21,2]}')).toBe(
      normalizeLayout('d6e5,120x40,0,0{60x40,0,0,7,59x40,61,0[59x20,61,0,8,59x19,61,21,9]}'),
    );
    expect(normalizeLayout('b25d,80x24,0,0,0')).not.toBe(normalizeLayout('b25d,80x23,0,0,0'));
  });
});

describe('compareSessions', () => {
  it('reports vanished windows and changed cwds', () => {
    const a = session();
    const b = session();
    b.windows.pop();
    b.windows[0]!.panes[0]!.cwd = { path: '/elsewhere', source: 'proc' };
    const kinds = compareSessions(a, b).map((d) => d.kind);
    expect(kinds).toContain('window-missing');
    expect(kinds).toContain('cwd');
    expect(compareSessions(a, session())).toEqual([]);
  });
});
