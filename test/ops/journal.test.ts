/**
 * The journal as the ops write it: a sink that says why it could not write
 * instead of throwing, and a reader that keeps only the names it knows.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatEntry, JOURNAL_FILE, JOURNAL_WHAT, journalIn, parseEntry, readJournal, type JournalKind } from '../../src/ops/journal.js';
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
    await expect(readJournal(d)).resolves.toEqual({ entries: [], skipped: 0 });
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
