/** Sessions the checkpoints remember, with why each left (issue 11, defect 6): forgotten ones are gone, stale departures ignored. Pure. */
import { describe, expect, it } from 'vitest';
import type { Departure } from '../../checkpoints/departures.js';
import { rememberedSessions } from '../../src/ops/departures.js';
import { entry } from '../tui/helpers/fixtures.js';

describe('rememberedSessions', () => {
  it('leaves forgotten sessions out, and attaches each standing departure', () => {
    const entries = [entry('c2', '2026-12-01T12:00:00Z', ['api']), entry('c1', '2026-12-01T09:00:00Z', ['api', 'db', 'old', 'tmp'])];
    const departures = new Map<string, Departure>([
      ['db', { why: 'renamed', at: '2026-12-01T10:00:00Z', to: 'database' }],
      ['old', { why: 'forgotten', at: '2026-12-01T10:00:00Z' }],
      // Closed, but saved again long after: it came back, the record says nothing now.
      ['api', { why: 'closed', at: '2026-12-01T10:00:00Z' }],
    ]);
    const r = rememberedSessions(entries, departures);
    expect([...r].map(([n, x]) => [n, x.entry.id, x.departed?.why ?? null])).toEqual([
      ['api', 'c2', null],
      ['db', 'c1', 'renamed'],
      ['tmp', 'c1', null],
    ]);
  });
});
