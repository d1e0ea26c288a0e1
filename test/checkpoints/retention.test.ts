import { join } from 'node:path';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_RETENTION,
  executeRetention,
  planRetention,
  RETENTION_TUNING,
  type RetentionCandidate,
} from '../../checkpoints/retention.js';
import { tempDir } from '../helpers/tmux-server.js';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

/** A candidate `hoursAgo` before NOW; ids sort like times, as real ids do. */
function cp(hoursAgo: number, extra: Partial<RetentionCandidate> = {}): RetentionCandidate {
  const timeMs = NOW - hoursAgo * 3_600_000;
  const id = `${new Date(timeMs).toISOString().replace(/[-:]/g, '')}-x`;
  return { id, timeMs, sessions: ['main'], valid: true, meaningful: true, blobs: [], ...extra };
}

const kept = (plan: ReturnType<typeof planRetention>) => [...plan.keep.keys()].sort();
const ids = (cs: RetentionCandidate[]) => cs.map((c) => c.id).sort();

describe('planRetention', () => {
  it('defaults to 50 + 7 days', () => {
    expect(DEFAULT_RETENTION).toEqual({ keepLast: 50, dailyForDays: 7 });
  });

  it('keeps the newest N', () => {
    const cs = Array.from({ length: 10 }, (_, i) => cp(i * 0.1));
    const plan = planRetention({ checkpoints: cs, blobs: [], policy: { keepLast: 3, dailyForDays: 0 }, nowMs: NOW });
    expect(kept(plan)).toEqual(ids(cs.slice(0, 3)));
    expect(plan.remove).toEqual(ids(cs.slice(3)));
    expect(plan.keep.get(cs[0]?.id ?? '')).toEqual(['last-n', 'newest-valid', 'newest-of-session']);
  });

  it('keeps the newest of each of the last D days, not older days', () => {
    // Two per day for 10 days, at 10:00 and 11:00 UTC.
    const cs = Array.from({ length: 10 }, (_, d) => [cp(d * 24 + 1), cp(d * 24 + 2)]).flat();
    const plan = planRetention({ checkpoints: cs, blobs: [], policy: { keepLast: 1, dailyForDays: 7 }, nowMs: NOW });
    const daily = [...plan.keep].filter(([, r]) => r.includes('daily')).map(([id]) => id).sort();
    expect(daily).toEqual(ids(Array.from({ length: 7 }, (_, d) => cp(d * 24 + 1))));
    expect(kept(plan)).toEqual(daily); // the newest is also today's daily
  });

  it('uses local calendar days when given an offset', () => {
    // 23:30 UTC yesterday is already today at UTC+1.
    const late = cp(12.5);
    const early = cp(11);
    const utc = planRetention({ checkpoints: [late, early], blobs: [], policy: { keepLast: 0, dailyForDays: 1 }, nowMs: NOW });
    expect(utc.keep.get(late.id)).toBeUndefined();
    const plus1 = planRetention({
      checkpoints: [late, early],
      blobs: [],
      policy: { keepLast: 0, dailyForDays: 2 },
      nowMs: NOW,
      utcOffsetMs: 3_600_000,
    });
    expect(plus1.keep.get(late.id)).toBeUndefined(); // same local day as `early`, which is newer
    expect(plus1.keep.get(early.id)).toContain('daily');
  });

  it('never drops the newest valid checkpoint of any session', () => {
    const rare = cp(100, { sessions: ['rare', 'main'] });
    const cs = [cp(1), cp(2), cp(3), rare, cp(200, { sessions: ['rare'] })];
    const plan = planRetention({ checkpoints: cs, blobs: [], policy: { keepLast: 2, dailyForDays: 0 }, nowMs: NOW });
    expect(plan.keep.get(rare.id)).toEqual(['newest-of-session']);
    expect(plan.remove).toEqual(ids([cs[2] as RetentionCandidate, cs[4] as RetentionCandidate]));
  });

  it('does not count non-meaningful or corrupt checkpoints toward N', () => {
    const empties = [cp(0.1, { meaningful: false, sessions: [] }), cp(0.2, { meaningful: false, sessions: [] })];
    const corrupt = cp(0.05, { valid: false, sessions: [] });
    const good = [cp(1), cp(2), cp(3)];
    const plan = planRetention({ checkpoints: [...empties, corrupt, ...good], blobs: [], policy: { keepLast: 2, dailyForDays: 0 }, nowMs: NOW });
    expect(kept(plan)).toEqual(ids([corrupt, empties[0] as RetentionCandidate, good[0] as RetentionCandidate, good[1] as RetentionCandidate]));
    expect(plan.keep.get(corrupt.id)).toEqual(['newer-than-newest-valid']);
    expect(plan.keep.get(empties[0]?.id ?? '')).toEqual(['newest-valid']);
    expect(plan.remove).toEqual(ids([good[2] as RetentionCandidate, empties[1] as RetentionCandidate]));
  });

  it('drops corrupt checkpoints once a newer valid one exists', () => {
    const old = cp(5, { valid: false });
    const plan = planRetention({ checkpoints: [cp(1), old], blobs: [], policy: { keepLast: 5, dailyForDays: 7 }, nowMs: NOW });
    expect(plan.remove).toEqual([old.id]);
  });

  it('keeps blobs referenced by kept checkpoints and young unreferenced ones', () => {
    const keepMe = cp(1, { blobs: ['a', 'b'] });
    const dropMe = cp(2, { blobs: ['b', 'c'] });
    const oldMtime = NOW - RETENTION_TUNING.blobGraceMs - 1;
    const plan = planRetention({
      checkpoints: [keepMe, dropMe],
      blobs: [
        { sha256: 'a', mtimeMs: oldMtime },
        { sha256: 'b', mtimeMs: oldMtime },
        { sha256: 'c', mtimeMs: oldMtime },
        { sha256: 'd', mtimeMs: oldMtime },
        { sha256: 'young', mtimeMs: NOW - 1000 },
      ],
      policy: { keepLast: 1, dailyForDays: 0 },
      nowMs: NOW,
    });
    expect(plan.remove).toEqual([dropMe.id]);
    expect(plan.removeBlobs).toEqual(['c', 'd']);
  });

  it('is pure: same input, same plan', () => {
    const cs = Array.from({ length: 30 }, (_, i) => cp(i * 7, { sessions: [`s${i % 4}`] }));
    const input = { checkpoints: cs, blobs: [], policy: { keepLast: 5, dailyForDays: 3 }, nowMs: NOW };
    expect(planRetention(input)).toEqual(planRetention({ ...input, checkpoints: [...cs].reverse() }));
  });
});

describe('executeRetention', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('deletes planned files, tolerates ones already gone, reports failures', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    writeFileSync(join(t.path, 'c1.json'), '');
    writeFileSync(join(t.path, 'b1.msgpack'), '');
    mkdirSync(join(t.path, 'c3.json')); // a directory: unlink fails
    const r = await executeRetention(
      { keep: new Map(), remove: ['c1', 'c2', 'c3'], removeBlobs: ['b1'] },
      { checkpointPath: (id) => join(t.path, `${id}.json`), blobPath: (s) => join(t.path, `${s}.msgpack`) },
    );
    expect(r.removed).toEqual(['c1']);
    expect(r.removedBlobs).toEqual(['b1']);
    expect(r.failures).toEqual([`Could not delete ${join(t.path, 'c3.json')} (EISDIR)`]);
    expect(readdirSync(t.path)).toEqual(['c3.json']);
  });
});
