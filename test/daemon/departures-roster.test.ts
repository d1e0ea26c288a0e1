/** The daemon's roster comparison (issue 11, defect 6), pure: who was closed, who was renamed, who runs. */
import { describe, expect, it } from 'vitest';
import { rosterChanges } from '../../src/daemon/departures.js';

const at = '2026-12-01T10:00:00.000Z';

describe('rosterChanges', () => {
  it('a gone id was closed; an id under a new name was renamed; running names clear their records', () => {
    const before = new Map([['$1', 'api'], ['$2', 'db'], ['$3', 'old']]);
    const now = new Map([['$1', 'api'], ['$2', 'database']]);
    expect(rosterChanges(before, now, at)).toEqual(
      new Map([
        ['db', { why: 'renamed', at, to: 'database' }],
        ['old', { why: 'closed', at }],
        ['api', null],
        ['database', null],
      ]),
    );
  });

  it("a restore's temporary names are never recorded; a name that runs again is not a departure", () => {
    const before = new Map([['$5', 'tsession-restore-ab12-0'], ['$6', 'api']]);
    const now = new Map([['$5', 'work'], ['$7', 'api']]);
    expect(rosterChanges(before, now, at)).toEqual(new Map([['work', null], ['api', null]]));
  });
});
