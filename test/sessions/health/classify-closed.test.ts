/**
 * A session that left on purpose is "closed", not "crashed" (issue 11,
 * defect 6): not red, not counted, not offered by R, not planned for on a
 * frozen server. Pure classifier and rows.
 */
import { describe, expect, it } from 'vitest';
import { classify } from '../../../sessions/health/classify.js';
import { liveServer, observation, proc, saved, serverFacts } from '../../tui/helpers/fixtures.js';

const at = '2026-11-24T09:58:00Z';

describe('closed sessions', () => {
  it('a recorded departure on purpose makes it closed, with the reason as evidence; a recorded crash stays crashed', () => {
    const r = classify(
      observation(liveServer([])),
      new Map([
        ['db', { ...saved(null), departed: { why: 'renamed', at, to: 'database' } }],
        ['old', { ...saved(null), departed: { why: 'closed', at } }],
        ['api', { ...saved(null), departed: { why: 'crashed', at } }],
        ['web', saved(null)],
      ]),
    );
    expect(r.sessions.map((v) => [v.session, v.health])).toEqual([
      ['db', 'closed'],
      ['old', 'closed'],
      ['api', 'crashed'],
      ['web', 'crashed'],
    ]);
    expect(r.sessions[0]!.evidence[0]).toEqual({ probe: 'departure', saw: 'renamed to "database" 2m ago' });
  });

  it('a frozen server does not claim a closed session (unfreeze plans nothing for it)', () => {
    const stopped = serverFacts({ answer: 'timeout', timeoutsInARow: 1, process: proc(4242, 'tmux: server', 'T') });
    const r = classify(observation(null, { server: stopped, liveIsFresh: false }), new Map([['db', { ...saved(null), departed: { why: 'closed', at } }], ['api', saved(null)]]));
    expect(r.sessions.map((v) => [v.session, v.health, v.live])).toEqual([
      ['db', 'closed', false],
      ['api', 'frozen', true],
    ]);
  });
});
