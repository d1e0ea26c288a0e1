/**
 * The timeline's words: why each checkpoint was taken (from the journal),
 * what changed since the one before, and a checkpoint that looks wrong.
 */
import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../checkpoints/schema.js';
import type { JournalEntry } from '../../src/ops/journal.js';
import { buildTimeline, causeOf, changesBetween, changeSummary, daemonCause, savesByCause, shortPath } from '../../src/ops/timeline.js';
import { liveSession, recordOf } from '../tui/helpers/fixtures.js';

/** A record of `name` with windows of the given panes; pane i of each window runs programs[i] (null: the shell) in cwds[i]. */
function session(windows: Record<string, { programs?: (string | null)[]; cwds?: string[]; panes?: number }>): SessionRecord {
  const shape = Object.fromEntries(Object.entries(windows).map(([n, w]) => [n, w.panes ?? Math.max(w.programs?.length ?? 1, w.cwds?.length ?? 1)]));
  const rec = recordOf(liveSession('api', shape));
  rec.windows.forEach((w) => {
    const spec = windows[w.name]!;
    w.panes.forEach((p, i) => {
      const prog = spec.programs?.[i] ?? null;
      p.foreground = prog ? { kind: 'job', command: prog.split(' ')[0]!, argv: prog.split(' '), cwd: null, source: 'proc' } : { kind: 'shell' };
      p.cwd = { path: spec.cwds?.[i] ?? '/home/ann', source: 'proc' };
    });
  });
  return rec;
}

const save = (at: string, id: string, cause: string): JournalEntry => ({ at, kind: 'action', what: 'save', result: 'ok', cause, detail: `${id} (1 session(s), 2 pane(s))` });

describe('causes', () => {
  it('maps the daemon cause strings to words', () => {
    expect(daemonCause('interval')).toBe('interval');
    expect(daemonCause('window-add, layout-change')).toBe('change');
    expect(daemonCause('window-add, interval')).toBe('change');
    expect(daemonCause('layout-change (any session)')).toBe('change');
    expect(daemonCause('watch attached')).toBe('watch-started');
    expect(daemonCause('watch stopping')).toBe('watch-stopping');
  });

  it('a save right after a restore is "after a restore"; an unjournaled one is by hand, or unknown before the journal began', () => {
    const journal: JournalEntry[] = [
      save('2026-11-24T09:00:00Z', 'cp1', 'watch attached'),
      save('2026-11-24T09:10:00Z', 'cp2', 'interval'),
      { at: '2026-11-24T09:20:00Z', kind: 'action', what: 'restore', result: 'ok', cause: 'server crashed', detail: 'api from cp2' },
      save('2026-11-24T09:20:01Z', 'cp3', 'watch attached'),
      save('2026-11-24T09:30:00Z', 'cp4', 'window-add'),
    ];
    const known = savesByCause(journal);
    expect(['cp1', 'cp2', 'cp3', 'cp4'].map((id) => known.causes.get(id))).toEqual(['watch-started', 'interval', 'after-restore', 'change']);
    expect(causeOf('cp-hand', '2026-11-24T09:15:00Z', known)).toBe('by-hand');
    // Older than a whole journal: saved by hand before any daemon ran.
    expect(causeOf('cp-early', '2026-11-20T09:15:00Z', known)).toBe('by-hand');
    // Older than a rotated journal's first line: its line may be gone.
    const rotated = savesByCause(journal, false);
    expect(causeOf('cp-ancient', '2026-11-20T09:15:00Z', rotated)).toBe('unknown');
    expect(causeOf('cp-hand', '2026-11-24T09:15:00Z', rotated)).toBe('by-hand');
    expect(causeOf('cp-hand', '2026-11-24T09:15:00Z', savesByCause([]))).toBe('by-hand');
  });
});

describe('changes between two checkpoints', () => {
  it('says windows added, removed and renamed, programs, cwds (under ~) and pane counts', () => {
    const before = session({ edit: { programs: ['vim', null], cwds: ['/home/ann/a', '/srv'] }, old: {} });
    const after = session({ edit: { programs: [null, 'less x'], cwds: ['/home/ann/b', '/srv'] }, logs: {} });
    // Window indexes: edit 0, old/logs 1 → same index, renamed.
    const text = changesBetween(before, after, '/home/ann').map((c) => c.text);
    expect(text).toEqual(['cwd ~/a → ~/b', 'vim → shell', 'shell → less x', 'window old → logs']);
    const third = session({ edit: { programs: [null, 'less x'], cwds: ['/home/ann/b', '/srv'] }, logs: {}, more: { panes: 2 } });
    expect(changesBetween(after, third, '/home/ann').map((c) => c.text)).toEqual(['+window more']);
    expect(changesBetween(third, after).map((c) => c.text)).toEqual(['-window more']);
    expect(changesBetween(before, after).find((c) => c.text === 'vim → shell')?.loss).toBe(true);
  });

  it('summarises at most a few, and says how many more', () => {
    const c = (t: string) => ({ kind: 'cwd' as const, text: t, loss: false });
    expect(changeSummary([])).toBe('no change');
    expect(changeSummary([c('a'), c('b'), c('c'), c('d'), c('e'), c('f')])).toBe('a, b, c, d, +2 more');
    expect(shortPath('/home/annex', '/home/ann')).toBe('/home/annex');
    expect(shortPath('/home/ann', '/home/ann')).toBe('~');
  });
});

describe('the timeline', () => {
  it('marks a checkpoint with fewer panes than its neighbours, and one that lost programs the next has again', () => {
    const full = session({ edit: { programs: ['vim', null] }, logs: { programs: ['tail -f x'] } });
    const shrunk = session({ edit: { programs: ['vim', null] } });
    const lost = session({ edit: { programs: [null, null] }, logs: { programs: [null] } });
    const inputs = [
      { id: 'c5', createdAt: '2026-11-24T09:50:00Z', cause: 'interval' as const, record: full },
      { id: 'c4', createdAt: '2026-11-24T09:40:00Z', cause: 'after-restore' as const, record: lost },
      { id: 'c3', createdAt: '2026-11-24T09:30:00Z', cause: 'change' as const, record: full },
      { id: 'c2', createdAt: '2026-11-24T09:20:00Z', cause: 'change' as const, record: shrunk },
      { id: 'c1', createdAt: '2026-11-24T09:10:00Z', cause: 'by-hand' as const, record: full },
      { id: 'c0', createdAt: '2026-11-24T09:00:00Z', cause: 'by-hand' as const, record: null },
    ];
    const t = buildTimeline(inputs);
    expect(t.map((e) => e.suspect)).toEqual([null, 'programs lost: vim, tail', null, 'fewer panes (2) than the checkpoints around it', null, null]);
    expect(t.map((e) => e.panes)).toEqual([3, 3, 3, 2, 3, null]);
    expect(t[0]!.programs).toEqual(['vim', 'tail']);
    expect(t[4]!.changes).toBeNull();
    expect(t[2]!.changes!.map((c) => c.text)).toEqual(['+window logs']);
  });

  it('a newest checkpoint that lost every program looks wrong too', () => {
    const t = buildTimeline([
      { id: 'new', createdAt: '2026-11-24T09:50:00Z', cause: 'watch-started', record: session({ edit: { programs: [null] } }) },
      { id: 'old', createdAt: '2026-11-24T09:40:00Z', cause: 'interval', record: session({ edit: { programs: ['vim'] } }) },
    ]);
    expect(t[0]!.suspect).toBe('programs lost: vim');
  });
});
