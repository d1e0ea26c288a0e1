/**
 * The PTY host's events as journal entries: every event (the samples are
 * keyed by event name, so a new event does not compile until it has one)
 * becomes either nothing (stderr only) or an entry the journal reader
 * accepts — a known kind and name — and reads well in `tsession log`.
 */
import { describe, expect, it } from 'vitest';
import { formatEntry, parseEntry, type JournalRecord } from '../../src/ops/journal.js';
import type { HostEvent, HostEventName } from '../../src/pty-host/host-events.js';
import { hostJournalEntry } from '../../src/pty-host/host-journal.js';

const T = Date.UTC(2026, 11, 3, 12, 0, 0);
const socket = { level: 'info', path: '/run/tsession/pty-host.sock' } as const;

const SAMPLES: { readonly [E in HostEventName]: Extract<HostEvent, { event: E }> } = {
  started: { event: 'started', pid: 41, adopted: 1, sessions: 2 },
  stopping: { event: 'stopping', cause: 'SIGTERM' },
  'stop-timeout': { event: 'stop-timeout', step: 'closing the client socket', afterMs: 5_000 },
  'already-running': { event: 'already-running', pid: 40 },
  'start-failed': { event: 'start-failed', reason: 'The PTY keeper did not start within 15 s' },
  crashed: { event: 'crashed', reason: 'TypeError: x is undefined' },
  'host-breaker-open': {
    event: 'host-breaker-open',
    crashes: [
      { at: T - 3_000, pid: 7, how: 'failed', reason: 'EEXIST' },
      { at: T - 2_000, pid: 8, how: 'never-ready' },
      { at: T - 1_000, pid: 9, how: 'crashed', reason: 'TypeError' },
    ],
    windowMs: 60_000,
    until: T + 57_000,
  },
  'start-history-unreadable': { event: 'start-history-unreadable', reason: 'damaged' },
  'keeper-started': { event: 'keeper-started' },
  'keeper-lost': { event: 'keeper-lost', reason: 'the peer closed the connection' },
  'keeper-not-answering': { event: 'keeper-not-answering' },
  'integration-off': { event: 'integration-off', reason: 'EACCES' },
  'checkpoint-warning': { event: 'checkpoint-warning', message: 'a damaged blob' },
  'save-failed': { event: 'save-failed', cause: 'interval', reason: 'ENOSPC' },
  'socket-listening': { event: 'socket-listening', ...socket },
  'socket-stale-socket-removed': { event: 'socket-stale-socket-removed', ...socket },
  'socket-connection-closed': { event: 'socket-connection-closed', ...socket, connection: 3 },
  'socket-accept-failed': { event: 'socket-accept-failed', ...socket, level: 'warn' },
  'socket-on-close-threw': { event: 'socket-on-close-threw', ...socket, level: 'warn' },
  'socket-closed': { event: 'socket-closed', ...socket },
  new: { event: 'new', session: 'work', argv: ['sh', '-c', 'echo hi; sleep 1'], cwd: '/home/u', pid: 99 },
  exit: { event: 'exit', session: 'work', exitCode: 3, signal: null },
  kill: { event: 'kill', session: 'work' },
  adopt: { event: 'adopt', session: 'work', pid: 99, from: 4096, lostBefore: 0 },
  revive: { event: 'revive', session: 'work', shell: '/bin/bash', cwd: '/home/u', notes: ['/home/u/gone is gone: started in /home/u'], ladder: [] },
  'revive-failed': { event: 'revive-failed', session: 'work', reason: 'ENOENT' },
  'revive-refused': { event: 'revive-refused', session: 'a b', reason: 'not a valid session name, or taken' },
  'revive-breaker-open': { event: 'revive-breaker-open', session: 'work', revives: [T - 2_000, T - 1_000, T] },
  typed: { event: 'typed', session: 'work', text: 'make test' },
  rerun: { event: 'rerun', session: 'work', text: 'htop' },
  'typing-gave-up': { event: 'typing-gave-up', session: 'work', reason: 'the shell never reached its prompt' },
};

/** An entry as `tsession log` reads it back from the file. */
const written = (r: JournalRecord) => parseEntry(JSON.stringify({ at: new Date(T).toISOString(), ...r }));

describe('hostJournalEntry', () => {
  it('every event is either stderr only or an entry the journal reader accepts', () => {
    const stderrOnly: string[] = [];
    for (const e of Object.values(SAMPLES) as HostEvent[]) {
      const r = hostJournalEntry(e);
      if (r === null) {
        stderrOnly.push(e.event);
        continue;
      }
      expect(written(r), e.event).not.toBeNull();
    }
    // Nothing about anyone's sessions: client connections, and a second host that found one running.
    expect(stderrOnly.sort()).toEqual(['already-running', ...Object.keys(SAMPLES).filter((k) => k.startsWith('socket-'))].sort());
  });

  it('the host breaker: refused, with every counted crash as evidence', () => {
    const r = hostJournalEntry(SAMPLES['host-breaker-open'])!;
    expect(r).toMatchObject({ kind: 'detected', what: 'host-breaker-open', result: 'refused' });
    expect(r.detail).toBe('the PTY host failed 3 times at start within 60 s: not started again before 12:00:57Z (tsession pty-host in a terminal starts it by hand)');
    expect(r.evidence).toEqual(['11:59:57Z pid 7: could not start — EEXIST', '11:59:58Z pid 8: ended before it served', '11:59:59Z pid 9: crashed — TypeError']);
  });

  it('one name per session action, its outcome in the result', () => {
    expect(hostJournalEntry(SAMPLES.revive)).toMatchObject({ kind: 'action', what: 'session-revive', result: 'ok', evidence: SAMPLES.revive.notes });
    expect(hostJournalEntry(SAMPLES['revive-failed'])).toMatchObject({ what: 'session-revive', result: 'failed', detail: 'work: ENOENT' });
    expect(hostJournalEntry(SAMPLES['revive-refused'])).toMatchObject({ what: 'session-revive', result: 'refused' });
    expect(hostJournalEntry(SAMPLES['save-failed'])).toEqual({ kind: 'action', what: 'save', cause: 'interval', result: 'failed', detail: 'ENOSPC' });
    expect(hostJournalEntry(SAMPLES.typed)).toMatchObject({ what: 'command-typed', detail: 'work: make test' });
    expect(hostJournalEntry(SAMPLES.rerun)).toMatchObject({ what: 'command-rerun', detail: 'work: htop' });
    expect(hostJournalEntry({ ...SAMPLES.exit, signal: 9 })).toMatchObject({ what: 'session-exited', detail: 'work: signal 9' });
    expect(hostJournalEntry({ ...SAMPLES.adopt, lostBefore: 512 })?.evidence).toEqual(["its first 512 bytes of output had left the keeper's ring and the checkpoint"]);
    expect(hostJournalEntry(SAMPLES.adopt)).not.toHaveProperty('evidence');
  });

  it('reads as a line in tsession log, a command quoted as typed', () => {
    const line = (e: HostEvent) => formatEntry(written(hostJournalEntry(e)!)!, 'pty');
    expect(line(SAMPLES.new)).toBe("2026-12-03 12:00:00Z pty action   session-new [ok] work: sh -c 'echo hi; sleep 1' in /home/u (pid 99)");
    expect(line(SAMPLES.started)).toBe('2026-12-03 12:00:00Z pty daemon   host-started [ok] pid 41, 2 sessions (1 adopted from the keeper)');
    expect(line({ ...SAMPLES.started, byHand: true })).toMatch(/\n {4}started by hand: the crash-loop breaker was reset$/);
    expect(line(SAMPLES.stopping)).toBe('2026-12-03 12:00:00Z pty daemon   host-stopping (cause: SIGTERM)');
    expect(line(SAMPLES['stop-timeout'])).toBe('2026-12-03 12:00:00Z pty daemon   host-stopping [failed] closing the client socket did not finish within 5000 ms; exiting anyway');
    // A session name is the user's: a control character in it never reaches the terminal.
    expect(line({ ...SAMPLES.kill, session: 'evil\x1b]0;x\x07' })).not.toMatch(/[\x00-\x1f]/);
  });
});
