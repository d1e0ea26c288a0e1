/**
 * The bare restore's plan (issue 11, defect 3): every saved session not
 * running, each from the newest valid checkpoint holding it, grouped by
 * checkpoint; what it leaves alone, with why. Pure.
 */
import { describe, expect, it } from 'vitest';
import { planSavedRestore } from '../../src/ops/restore-saved.js';
import { entry } from '../tui/helpers/fixtures.js';

describe('planSavedRestore', () => {
  it('after `save` (all) then `save api`: api from the newest, the others from the full one', () => {
    const plan = planSavedRestore(
      [entry('c2', '2026-11-24T10:00:00Z', ['api']), entry('c1', '2026-11-24T09:00:00Z', ['api', 'web', 'db'])],
      new Set(),
      false,
    );
    expect(plan).toEqual({
      groups: [
        { checkpointId: 'c2', sessions: ['api'] },
        { checkpointId: 'c1', sessions: ['web', 'db'] },
      ],
      skipped: [],
    });
  });

  it('running sessions are skipped as such (taken with replace); invalid and default-only checkpoints never chosen', () => {
    const entries = [
      entry('c3', '2026-11-24T11:00:00Z', ['0'], { meaningful: false }),
      entry('c2', '2026-11-24T10:00:00Z', ['api', 'web'], { valid: false }),
      entry('c1', '2026-11-24T09:00:00Z', ['api', 'web']),
    ];
    expect(planSavedRestore(entries, new Set(['0', 'web']), false)).toEqual({
      groups: [{ checkpointId: 'c1', sessions: ['api'] }],
      skipped: [{ name: 'web', reason: 'already running' }],
    });
    expect(planSavedRestore(entries, new Set(['web']), true).groups).toEqual([{ checkpointId: 'c1', sessions: ['api', 'web'] }]);
  });

  it('sessions to leave are skipped with their reason, or unmentioned (forgotten)', () => {
    const plan = planSavedRestore([entry('c1', '2026-11-24T09:00:00Z', ['api', 'old', 'gone'])], new Set(), false, new Map([['old', 'closed on purpose'], ['gone', null]]));
    expect(plan).toEqual({ groups: [{ checkpointId: 'c1', sessions: ['api'] }], skipped: [{ name: 'old', reason: 'closed on purpose' }] });
  });
});
