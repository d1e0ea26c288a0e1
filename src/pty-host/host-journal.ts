/**
 * What each PTY host event becomes in the journal (src/ops/journal.ts): one
 * table, event → entry, so `tsession log` reads the host's life (starts,
 * crashes, the crash-loop breaker, the keeper) and its sessions' (new,
 * exit, kill, adopt, revive, what was typed) in the same words as the
 * watch daemon's. Events that say nothing about sessions (a client's
 * connection closing, a second host that found one running) stay on stderr.
 * Pure: no clock, no I/O.
 */
import { count } from '../../checkpoints/words.js';
import { quoteCommandLine } from '../../sessions/restore/shell-quote.js';
import type { JournalRecord } from '../ops/journal.js';
import type { HostEvent, HostEventName } from './host-events.js';

type Entry<E extends HostEventName> = (e: Extract<HostEvent, { event: E }>) => JournalRecord | null;

/** Only on stderr: not a change to anyone's sessions. */
const stderrOnly = (): null => null;

const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);

const TABLE: { readonly [E in HostEventName]: Entry<E> } = {
  started: (e) => ({
    kind: 'daemon',
    what: 'host-started',
    result: 'ok',
    detail: `pid ${e.pid}, ${count(e.sessions, 'session')} (${e.adopted} adopted from the keeper)`,
    ...(e.byHand ? { evidence: ['started by hand: the crash-loop breaker was reset'] } : {}),
  }),
  stopping: (e) => ({ kind: 'daemon', what: 'host-stopping', cause: e.cause }),
  'stop-timeout': (e) => ({ kind: 'daemon', what: 'host-stopping', result: 'failed', detail: `${e.step} did not finish within ${e.afterMs} ms; exiting anyway` }),
  'already-running': stderrOnly,
  'start-failed': (e) => ({ kind: 'daemon', what: 'host-start-failed', result: 'failed', detail: e.reason }),
  crashed: (e) => ({ kind: 'detected', what: 'host-crashed', result: 'failed', detail: e.reason }),
  'host-breaker-open': (e) => ({
    kind: 'detected',
    what: 'host-breaker-open',
    result: 'refused',
    detail: `the PTY host failed ${count(e.crashes.length, 'time')} at start within ${e.windowMs / 1000} s: not started again before ${hhmmss(e.until)}Z (tsession pty-host in a terminal starts it by hand)`,
    evidence: e.crashes.map((c) => `${hhmmss(c.at)}Z pid ${c.pid}: ${CRASH_WORDS[c.how]}${c.reason ? ` — ${c.reason}` : ''}`),
  }),
  'start-history-unreadable': (e) => ({
    kind: 'detected',
    what: 'start-history-unreadable',
    detail: e.reason,
    evidence: ['the crash-loop breaker counts afresh from this start'],
  }),
  'keeper-started': () => ({ kind: 'daemon', what: 'keeper-started', result: 'ok' }),
  'keeper-lost': (e) => ({
    kind: 'detected',
    what: 'keeper-lost',
    detail: e.reason,
    evidence: ['the host ends; the next PTY command starts a new one, which revives every session from its checkpoint'],
  }),
  'keeper-not-answering': () => ({ kind: 'detected', what: 'keeper-not-answering' }),
  'integration-off': (e) => ({ kind: 'detected', what: 'shell-integration-off', detail: e.reason }),
  'checkpoint-warning': (e) => ({ kind: 'detected', what: 'checkpoint-warning', detail: e.message }),
  'save-failed': (e) => ({ kind: 'action', what: 'save', cause: e.cause, result: 'failed', detail: e.reason }),
  'socket-listening': stderrOnly,
  'socket-stale-socket-removed': stderrOnly,
  'socket-connection-closed': stderrOnly,
  'socket-accept-failed': stderrOnly,
  'socket-on-close-threw': stderrOnly,
  'socket-closed': stderrOnly,
  new: (e) => ({ kind: 'action', what: 'session-new', result: 'ok', detail: `${e.session}: ${quoteCommandLine(e.argv, 'posix-ansi') ?? e.argv.join(' ')} in ${e.cwd} (pid ${e.pid})` }),
  exit: (e) => ({ kind: 'detected', what: 'session-exited', detail: `${e.session}: ${e.signal ? `signal ${e.signal}` : `exit ${e.exitCode}`}` }),
  kill: (e) => ({ kind: 'action', what: 'session-kill', result: 'ok', detail: e.session }),
  adopt: (e) => ({
    kind: 'action',
    what: 'session-adopt',
    result: 'ok',
    detail: `${e.session} (pid ${e.pid})`,
    ...(e.lostBefore > 0 ? { evidence: [`its first ${e.lostBefore} bytes of output had left the keeper's ring and the checkpoint`] } : {}),
  }),
  revive: (e) => ({ kind: 'action', what: 'session-revive', result: 'ok', detail: `${e.session}: ${e.shell} in ${e.cwd}`, evidence: e.notes }),
  'revive-failed': (e) => ({ kind: 'action', what: 'session-revive', result: 'failed', detail: `${e.session}: ${e.reason}` }),
  'revive-refused': (e) => ({ kind: 'action', what: 'session-revive', result: 'refused', detail: `${e.session}: ${e.reason}` }),
  'revive-breaker-open': (e) => ({
    kind: 'detected',
    what: 'revive-breaker-open',
    result: 'refused',
    detail: `${e.session}: revived ${count(e.revives.length, 'time')} lately; left down`,
    evidence: e.revives.map((t) => `revived at ${new Date(t).toISOString()}`),
  }),
  typed: (e) => ({ kind: 'action', what: 'command-typed', result: 'ok', detail: `${e.session}: ${e.text}`, evidence: ['typed at the prompt without Enter'] }),
  rerun: (e) => ({ kind: 'action', what: 'command-rerun', result: 'ok', detail: `${e.session}: ${e.text}`, evidence: ['on the re-run allowlist: typed with Enter'] }),
  'typing-gave-up': (e) => ({ kind: 'detected', what: 'typing-gave-up', detail: `${e.session}: ${e.reason}` }),
};

const CRASH_WORDS = { 'never-ready': 'ended before it served', failed: 'could not start', crashed: 'crashed' } as const;

/** The journal entry of one host event, or null when it belongs on stderr only. */
export function hostJournalEntry(e: HostEvent): JournalRecord | null {
  return (TABLE[e.event] as (e: HostEvent) => JournalRecord | null)(e);
}
