/** Sessions the checkpoints remember, with why each left (issue 11, defect 6): forgotten ones are gone, stale departures ignored. Pure. */
import { describe, expect, it } from 'vitest';
import type { Departure } from '../../checkpoints/departures.js';
import { rememberedSessions, withoutClosed } from '../../src/ops/departures.js';
import { sampleDraft } from '../checkpoints/support/sample-body.js';
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

describe('withoutClosed', () => {
  const body = (names: string[]) => ({ ...sampleDraft({ sessions: names }), id: 'c1', createdAt: '2026-12-01T09:00:00Z' });
  const at = '2026-12-01T10:00:00Z';

  it('drops sessions that left on purpose after the checkpoint; keeps crashed ones and a renamed one whose new name it lacks', () => {
    const departures = new Map<string, Departure>([
      ['old', { why: 'closed', at }],
      ['solo', { why: 'server-ended', at }],
      ['api', { why: 'crashed', at }],
      ['db', { why: 'renamed', at, to: 'database' }],
    ]);
    const r = withoutClosed(body(['api', 'old', 'solo', 'db']), departures);
    expect(r.left).toEqual(['old', 'solo']);
    expect(r.body.sessions.map((s) => s.name)).toEqual(['api', 'db']);
    expect(withoutClosed(body(['db', 'database']), departures).left).toEqual(['db']);
  });
});
