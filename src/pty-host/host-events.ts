/**
 * Every event the PTY host reports, as one union: the host's process and
 * the host itself emit them, the pty-host command writes each as a JSON
 * line on stderr and, through host-journal.ts, as a journal entry. A new
 * event is added here first; the journal's table then does not compile
 * until it says what the event becomes.
 */
import type { ServerLogLine } from '../ipc/index.js';
import type { LadderStep } from '../../sessions/pty/revive-plan.js';

/** One crash the start breaker counted, for the journal's evidence. */
export interface CountedCrash {
  /** Epoch ms of the start that crashed. */
  readonly at: number;
  readonly pid: number;
  /** How it ended: never came up, failed to start, or crashed (uncaught error). */
  readonly how: 'never-ready' | 'failed' | 'crashed';
  readonly reason?: string;
}

/** The client socket's own log lines, one member per event. */
type SocketEvent = { [E in ServerLogLine['event']]: { readonly event: `socket-${E}` } & Omit<ServerLogLine, 'event'> }[ServerLogLine['event']];

/** One line of the host's log, by event. */
export type HostEvent =
  // The host's own life (host-process.ts, the pty-host command).
  | { readonly event: 'started'; readonly pid: number; readonly adopted: number; readonly sessions: number; readonly byHand?: boolean }
  | { readonly event: 'stopping'; readonly cause: string }
  | { readonly event: 'stop-timeout'; readonly step: string; readonly afterMs: number }
  | { readonly event: 'already-running'; readonly pid: number }
  | { readonly event: 'start-failed'; readonly reason: string }
  | { readonly event: 'crashed'; readonly reason: string }
  | { readonly event: 'host-breaker-open'; readonly crashes: readonly CountedCrash[]; readonly windowMs: number; readonly until: number }
  | { readonly event: 'start-history-unreadable'; readonly reason: string }
  | { readonly event: 'keeper-started' }
  | { readonly event: 'keeper-lost'; readonly reason: string }
  | { readonly event: 'keeper-not-answering' }
  | { readonly event: 'integration-off'; readonly reason: string }
  | { readonly event: 'checkpoint-warning'; readonly message: string }
  | { readonly event: 'save-failed'; readonly cause: string; readonly reason: string }
  | SocketEvent
  // Sessions (host.ts).
  | { readonly event: 'new'; readonly session: string; readonly argv: readonly string[]; readonly cwd: string; readonly pid: number }
  | { readonly event: 'exit'; readonly session: string; readonly exitCode: number; readonly signal: number | null }
  | { readonly event: 'kill'; readonly session: string }
  | { readonly event: 'adopt'; readonly session: string; readonly pid: number; readonly from: number; readonly lostBefore: number }
  | { readonly event: 'revive'; readonly session: string; readonly shell: string; readonly cwd: string; readonly notes: readonly string[]; readonly ladder: readonly LadderStep[] }
  | { readonly event: 'revive-failed'; readonly session: string; readonly reason: string }
  | { readonly event: 'revive-refused'; readonly session: string; readonly reason: string }
  | { readonly event: 'revive-breaker-open'; readonly session: string; readonly revives: readonly number[] }
  | { readonly event: 'typed'; readonly session: string; readonly text: string }
  | { readonly event: 'rerun'; readonly session: string; readonly text: string }
  | { readonly event: 'typing-gave-up'; readonly session: string; readonly reason: string };

/** An event's name. */
export type HostEventName = HostEvent['event'];
