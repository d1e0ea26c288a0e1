/**
 * Defect 4 of issue 11, the "say so" half, without tmux: the journal's
 * newest save decides whether the saves are failing (so the daemon journals
 * the first outcome after a failure, even an unchanged one); a config that
 * went bad is trouble until it reloads or a daemon starts; the interface's
 * header says it in red instead of a green "watched".
 */
import { describe, expect, it } from 'vitest';
import type { Context } from '../../src/context.js';
import type { JournalEntry } from '../../src/ops/journal.js';
import { daemonTrouble, troublePhrase } from '../../src/ops/status.js';
import { createSaveCallback } from '../../src/daemon/save-callback.js';
import type { DaemonUseCases } from '../../src/daemon/use-cases.js';
import { headerLine } from '../../src/tui/view/chrome.js';
import { sampleSnapshot } from '../tui/helpers/fake-services.js';

type SaveResult = Awaited<ReturnType<DaemonUseCases['save']>>;

const at = (n: number) => `2026-12-03T07:00:0${n}.000Z`;
const e = (n: number, fields: Omit<JournalEntry, 'at'>): JournalEntry => ({ at: at(n), ...fields });

describe('daemonTrouble', () => {
  it('the newest save failed: trouble, with its reason', () => {
    const entries = [
      e(1, { kind: 'action', what: 'save', result: 'ok', detail: 'c1' }),
      e(2, { kind: 'action', what: 'save', result: 'failed', detail: 'State dir /s is full (ENOSPC)' }),
      e(3, { kind: 'detected', what: 'server-up' }),
    ];
    const t = daemonTrouble(entries);
    expect(t.lastSaveFailed?.detail).toBe('State dir /s is full (ENOSPC)');
    expect(troublePhrase(t)).toBe('last save failed: State dir /s is full (ENOSPC)');
  });

  it('a save after the failure (even a skip) ends it', () => {
    const entries = [
      e(1, { kind: 'action', what: 'save', result: 'failed', detail: 'x' }),
      e(2, { kind: 'action', what: 'save', result: 'skipped', detail: 'nothing changed since the last checkpoint' }),
    ];
    expect(troublePhrase(daemonTrouble(entries))).toBeNull();
  });

  it('a config that went bad is trouble until it reloads, or a daemon starts (which validates it)', () => {
    const bad = e(1, { kind: 'detected', what: 'config-invalid', detail: '~/.config/tsession/config.json: contents.lines: expected …' });
    expect(troublePhrase(daemonTrouble([bad]))).toBe('config invalid, last good settings kept: ~/.config/tsession/config.json: contents.lines: expected …');
    expect(daemonTrouble([bad, e(2, { kind: 'detected', what: 'config-reloaded' })]).configInvalid).toBeNull();
    expect(daemonTrouble([bad, e(2, { kind: 'daemon', what: 'started' })]).configInvalid).toBeNull();
  });
});

describe('a daemon that stopped restoring', () => {
  const open = e(2, {
    kind: 'detected',
    what: 'restore-breaker-open',
    evidence: ['4 crashes within 39 s (limit 3)'],
    detail: 'left down; run `tsession -L w restore` by hand',
  });
  it('is trouble (a new user saw a green "watched" over sessions left down), until a restore works or a daemon starts', () => {
    const crashed = e(1, { kind: 'detected', what: 'server-crashed' });
    expect(troublePhrase(daemonTrouble([crashed, open]))).toBe('stopped restoring: 4 crashes within 39 s (limit 3); left down; run `tsession -L w restore` by hand');
    const gaveUp = e(2, { kind: 'detected', what: 'restore-gave-up', detail: 'after 4 tries' });
    expect(daemonTrouble([crashed, gaveUp]).leftDown).toBe(gaveUp);
    expect(daemonTrouble([open, e(3, { kind: 'action', what: 'restore', result: 'ok', detail: 'api from c1' })]).leftDown).toBeNull();
    expect(daemonTrouble([open, e(3, { kind: 'action', what: 'restore', result: 'failed', detail: 'x' })]).leftDown).toBe(open);
    expect(daemonTrouble([open, e(3, { kind: 'daemon', what: 'started' })]).leftDown).toBeNull();
  });
});

describe('the save callback after a failure', () => {
  it('journals the next outcome, even an unchanged server, so the newest save entry is the truth', async () => {
    const results: (SaveResult | Error)[] = [
      { kind: 'saved', id: 'c1', path: '/x', bytes: 1, sessions: 1, panes: 1, timings: {} },
      new Error('State dir /s is full (ENOSPC)'),
      { kind: 'unchanged' },
      { kind: 'unchanged' },
    ];
    const entries: Omit<JournalEntry, 'at'>[] = [];
    const save: DaemonUseCases['save'] = async (_ctx, options = {}) => {
      options.onFingerprint?.('fp');
      const r = results.shift()!;
      if (r instanceof Error) throw r;
      return r;
    };
    const run = createSaveCallback({} as Context, (x) => entries.push(x), () => null, save);
    for (let i = 0; i < 4; i++) await run(['interval']);
    expect(entries.map((x) => `${x.result}:${x.detail}`)).toEqual([
      'ok:c1 (1 session, 1 pane)',
      'failed:State dir /s is full (ENOSPC)',
      'skipped:nothing changed since the last checkpoint',
    ]);
    expect(daemonTrouble(entries.map((x, i) => ({ at: at(i), ...x }))).lastSaveFailed).toBeNull();
  });
});

describe('the header', () => {
  const text = (line: ReturnType<typeof headerLine>) => line.map((s) => s.text).join('');
  const info = { serverLabel: '-L test', socketPath: '/tmp/tmux-0/test', stateDir: '/state' };

  it('says "watched" in green while the saves work, and the trouble in red when they do not', () => {
    const fine = headerLine(info, { ...sampleSnapshot(), watcher: { pid: 1, since: at(0) } }, [], 120, null);
    expect(text(fine)).toContain(' · watched ');
    expect(fine.find((s) => s.text.includes('watched'))?.color).toBe('green');
    const failing = headerLine(info, { ...sampleSnapshot(), watcher: { pid: 1, since: at(0), trouble: 'last save failed: disk full' } }, [], 120, null);
    expect(text(failing)).toContain(' · watched, last save failed: disk full');
    expect(failing.find((s) => s.text.includes('watched'))).toMatchObject({ color: 'red', bold: true });
  });
});
