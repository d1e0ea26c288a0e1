/**
 * Comparing a saved session with a live one (pure).
 */
import { describe, expect, it } from 'vitest';
import { compareSessions } from '../../../sessions/live/compare.js';
import { session } from '../support/records.js';

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
