/**
 * The journal as the ops write it: a sink that says why it could not write
 * instead of throwing, and a reader that keeps only the names it knows.
 */
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatEntry,
  Journal,
  JOURNAL_FILE,
  JOURNAL_WHAT,
  journalIn,
  mergeJournals,
  parseEntry,
  readJournal,
  readJournalTail,
  type JournalEntry,
  type JournalKind,
} from '../../src/ops/journal.js';
import { tempDir } from '../helpers/tmux-server.js';

const dirs: { cleanup(): void }[] = [];
afterEach(() => {
  while (dirs.length) dirs.pop()!.cleanup();
});
const dir = () => {
  const d = tempDir('tsession-journal-');
  dirs.push(d);
  return d.path;
};

describe('journalIn', () => {
  it('appends the entries in order and reports no problem', async () => {
    const d = join(dir(), 'server');
    const sink = journalIn(d);
    expect(await sink([{ kind: 'action', what: 'restore', result: 'ok', detail: 'a from cp' }, { kind: 'action', what: 'unfreeze', result: 'refused' }])).toBeNull();
    const { entries, skipped } = await readJournal(d);
    expect(skipped).toBe(0);
    expect(entries.map((e) => `${e.what} ${e.result}`)).toEqual(['restore ok', 'unfreeze refused']);
  });

  it('writes nothing (not even the directory) for no entries', async () => {
    const d = join(dir(), 'never');
    expect(await journalIn(d)([])).toBeNull();
    await expect(readJournal(d)).resolves.toEqual({ entries: [], skipped: 0, complete: true });
  });

  it('resolves to one line naming the directory and the reason when the journal cannot be written', async () => {
    const d = dir();
    mkdirSync(join(d, JOURNAL_FILE)); // a directory where the file belongs
    const problem = await journalIn(d)([{ kind: 'action', what: 'restore', result: 'ok' }]);
    expect(problem).toMatch(new RegExp(`^cannot write the journal in ${d}: .*EISDIR`));
  });
});

describe('parseEntry', () => {
  it('accepts every name of its kind', () => {
    for (const kind of Object.keys(JOURNAL_WHAT) as JournalKind[]) {
      for (const what of JOURNAL_WHAT[kind]) {
        expect(parseEntry(JSON.stringify({ at: '2026-11-24T10:00:00.000Z', kind, what }))).toMatchObject({ kind, what });
      }
    }
  });

  it('refuses a name it does not know, or under another kind', () => {
    expect(parseEntry(JSON.stringify({ at: '2026-11-24T10:00:00.000Z', kind: 'action', what: 'reboot' }))).toBeNull();
    expect(parseEntry(JSON.stringify({ at: '2026-11-24T10:00:00.000Z', kind: 'detected', what: 'save' }))).toBeNull();
    expect(parseEntry(JSON.stringify({ at: '2026-11-24T10:00:00.000Z', kind: 'toString', what: 'save' }))).toBeNull();
  });

  it('counts an unknown line as skipped when reading', async () => {
    const d = join(dir(), 's');
    await journalIn(d)([{ kind: 'daemon', what: 'started' }]);
    const text = readFileSync(join(d, JOURNAL_FILE), 'utf8');
    writeFileSync(join(d, JOURNAL_FILE), `${text}{"at":"x","kind":"action","what":"teleport"}\n`);
    expect(await readJournal(d)).toMatchObject({ entries: [{ what: 'started' }], skipped: 1 });
  });
});

describe('formatEntry', () => {
  it('shows control characters of every field visibly, keeping one line per evidence', () => {
    const text = formatEntry({
      at: '2026-11-24T10:00:00.000Z',
      kind: 'detected',
      what: 'session-frozen',
      detail: 'evil\u009b31m',
      cause: 'a\nb',
      evidence: ['job: pid 7 (x\u009b2J)', 'second'],
    });
    expect(text).toBe('2026-11-24 10:00:00Z detected session-frozen evil\\x9b31m (cause: a\\x0ab)\n    job: pid 7 (x\\x9b2J)\n    second');
  });
});

describe('Journal', () => {
  it('appends entries in order as 0600 JSON lines and reads them back, skipping torn lines', async () => {
    const d = dir();
    const j = new Journal(d);
    await Promise.all([
      j.append({ kind: 'daemon', what: 'started' }),
      j.append({ kind: 'action', what: 'save', result: 'ok', detail: 'id-1', durationMs: 12.4 }),
      j.append({ kind: 'detected', what: 'server-crashed', evidence: ['control client: %exit server exited unexpectedly'] }),
    ]);
    appendFileSync(join(d, JOURNAL_FILE), '{"at":"x","kind":"action","what"\n[1,2]\n');
    expect(statSync(join(d, JOURNAL_FILE)).mode & 0o777).toBe(0o600);
    const { entries, skipped } = await readJournal(d);
    expect(entries.map((e) => e.what)).toEqual(['started', 'save', 'server-crashed']);
    expect(skipped).toBe(2);
    expect(formatEntry(entries[1]!)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ action {3}save \[ok\] id-1 12 ms$/);
    expect(formatEntry(entries[2]!).split('\n')[1]).toBe('    control client: %exit server exited unexpectedly');
  });

  it('the tail read returns the newest entries in order, from only the end of a large file', async () => {
    const d = dir();
    const j = new Journal(d);
    for (let i = 0; i < 1500; i++) void j.append({ kind: 'action', what: 'save', detail: `n${i}`, evidence: ['x'.repeat(40)] });
    await j.flushed();
    expect(statSync(join(d, JOURNAL_FILE)).size).toBeGreaterThan(64 * 1024);
    const tail = await readJournalTail(d, 100);
    expect(tail.map((e) => e.detail)).toEqual(Array.from({ length: 100 }, (_, i) => `n${1400 + i}`));
    expect(await readJournalTail(join(d, 'missing'), 10)).toEqual([]);
  });

  it('rotates past its size limit and still reads both files in order', async () => {
    const d = dir();
    const j = new Journal(d, 400);
    for (let i = 0; i < 12; i++) await j.append({ kind: 'action', what: 'save', detail: `n${i}` });
    const { entries, complete } = await readJournal(d);
    // Rotated: its oldest lines may be gone, so a checkpoint older than its first line has no known cause.
    expect(complete).toBe(false);
    const numbers = entries.map((e) => Number(e.detail!.slice(1)));
    expect(numbers.at(-1)).toBe(11);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(readFileSync(join(d, JOURNAL_FILE), 'utf8').length).toBeLessThanOrEqual(400);
    expect(numbers.length).toBeLessThan(12); // only one rotated file is kept
  });
});

describe('mergeJournals', () => {
  it('orders by time; entries of one instant keep their journal order, journals in the order given', () => {
    const e = (at: string, detail: string): JournalEntry => ({ at: `2026-12-03T10:00:0${at}.000Z`, kind: 'action', what: 'save', detail });
    const merged = mergeJournals([
      { source: 'tmux', entries: [e('1', 't1'), e('3', 't3a'), e('3', 't3b')] },
      { source: 'pty', entries: [e('0', 'p0'), e('3', 'p3'), e('4', 'p4')] },
    ]);
    expect(merged.map((m) => `${m.source}:${m.entry.detail}`)).toEqual(['pty:p0', 'tmux:t1', 'tmux:t3a', 'tmux:t3b', 'pty:p3', 'pty:p4']);
    expect(mergeJournals([])).toEqual([]);
  });

  it('a source mark sits between the time and the kind', () => {
    const line = formatEntry({ at: '2026-12-03T10:00:00.000Z', kind: 'daemon', what: 'host-started', result: 'ok' }, 'pty');
    expect(line).toBe('2026-12-03 10:00:00Z pty daemon   host-started [ok]');
  });
});
