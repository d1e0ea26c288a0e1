/**
 * The departures record (issue 11, defect 6): why each session left, kept
 * per server in one private file written atomically; which departures still
 * stand; the words `list` and the interface share.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEPARTURE_LIMITS, departuresFile, departureWords, readDepartures, recordDepartures, standingDepartures, type Departure } from '../../checkpoints/departures.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tmux-server.js';

const afterTest = cleanupAfterEach();
const dir = () => {
  const t = tempDir('tsession-departures-');
  afterTest(t.cleanup);
  return t.path;
};
const at = '2026-12-01T10:00:00.000Z';

describe('the departures file', () => {
  it('none yet: empty; records, merges, clears, 0600', async () => {
    const d = dir();
    expect(await readDepartures(d)).toEqual({ ok: true, value: new Map() });
    expect((await recordDepartures(d, new Map([['db', { why: 'renamed', at, to: 'database' }], ['old', { why: 'closed', at }]]))).ok).toBe(true);
    expect((await recordDepartures(d, new Map<string, Departure | null>([['old', null], ['api', { why: 'crashed', at }]]))).ok).toBe(true);
    const r = await readDepartures(d);
    expect(r.ok && [...r.value]).toEqual([
      ['db', { why: 'renamed', at, to: 'database' }],
      ['api', { why: 'crashed', at }],
    ]);
    expect(statSync(departuresFile(d)).mode & 0o777).toBe(0o600);
  });

  it('a damaged file is an error value, and the next record replaces it', async () => {
    const d = dir();
    writeFileSync(departuresFile(d), '{"version":1,"sess');
    const r = await readDepartures(d);
    expect(!r.ok && r.error.kind).toBe('corrupt');
    expect((await recordDepartures(d, new Map([['x', { why: 'closed', at }]]))).ok).toBe(true);
    expect(JSON.parse(readFileSync(departuresFile(d), 'utf8'))).toEqual({ version: 1, sessions: { x: { why: 'closed', at } } });
  });

  it(`keeps at most ${DEPARTURE_LIMITS.maxEntries} names, newest first`, async () => {
    const d = dir();
    const many = new Map<string, Departure>();
    for (let i = 0; i <= DEPARTURE_LIMITS.maxEntries; i++) many.set(`s${i}`, { why: 'closed', at: new Date(Date.parse(at) + i * 1000).toISOString() });
    await recordDepartures(d, many);
    const r = await readDepartures(d);
    expect(r.ok && r.value.size).toBe(DEPARTURE_LIMITS.maxEntries);
    expect(r.ok && r.value.has('s0')).toBe(false);
  });
});

describe('standingDepartures', () => {
  it('a checkpoint clearly newer than the departure overrules it; one written just after does not', () => {
    const deps = new Map<string, Departure>([
      ['back', { why: 'closed', at }],
      ['racy', { why: 'closed', at }],
      ['gone', { why: 'closed', at }],
    ]);
    const saved: Record<string, string> = {
      back: new Date(Date.parse(at) + DEPARTURE_LIMITS.overruleAfterMs + 1).toISOString(),
      racy: new Date(Date.parse(at) + 50).toISOString(),
      gone: '2026-12-01T09:00:00.000Z',
    };
    expect([...standingDepartures(deps, (n) => saved[n] ?? null).keys()]).toEqual(['racy', 'gone']);
  });

  it('says each reason in words', () => {
    expect(departureWords({ why: 'renamed', at, to: 'database' })).toBe('renamed to "database"');
    expect(departureWords({ why: 'server-ended', at })).toMatch(/ended normally/);
  });
});
