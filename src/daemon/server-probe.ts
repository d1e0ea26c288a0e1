/**
 * The daemon's own question to the server: is it up, under which pid, with
 * which sessions? And, after the event feed ended, what that end means.
 * `classifyEnd` and `describeEnd` are pure.
 */
import { endIsCrash, type FeedEnd } from '../../sessions/tmux/event-feed.js';
import { TmuxError } from '../../sessions/tmux/errors.js';
import { readServerPid } from '../../sessions/tmux/queries.js';
import type { Context } from '../context.js';

/** What a probe of the server found. */
export type Probe =
  | { readonly kind: 'up'; readonly pid: number; readonly sessionIds: readonly string[] }
  | { readonly kind: 'down'; readonly message: string }
  | { readonly kind: 'not-answering'; readonly message: string };

/** The server's pid and its session ids (one tmux call); tmux failures a retry can fix become values. */
export async function probeServer(ctx: Context, timeoutMs: number): Promise<Probe> {
  try {
    const { pid, sessionIds } = await readServerPid(ctx.server, { env: ctx.env, timeoutMs });
    return { kind: 'up', pid, sessionIds };
  } catch (e) {
    if (!(e instanceof TmuxError)) throw e;
    if (e.kind === 'no-server') return { kind: 'down', message: e.message };
    if (e.kind === 'timeout' || e.kind === 'refused') return { kind: 'not-answering', message: e.message };
    throw e; // not installed, no access: nothing a retry can fix
  }
}

/** What the end of the event feed means, from how it ended and a probe of the server after it. */
export type EndVerdict =
  /** The server lives on (our session closed, our client was let go or killed): attach again. */
  | 'reattach'
  /** A normal end (kill-server, the last session closed): nothing to restore. */
  | 'ended'
  /** The server died, or a new server runs under the socket. */
  | 'crashed'
  /** Not clear yet: a server that is exiting refuses new clients until its own clients have gone. */
  | 'recheck';

/** Decide what a feed's end means; `pidAtAttach` is the server's pid when the feed began. */
export function classifyEnd(end: FeedEnd, after: Probe, pidAtAttach: number): EndVerdict {
  if (end.kind === 'exit' && end.reason === null && !end.attached) {
    // Our client never got attached (its session went first): the end says
    // nothing about the server. One found gone was not seen to end
    // normally (kill-server tells an attached client): a crash.
    return after.kind === 'up' ? 'reattach' : after.kind === 'down' ? 'crashed' : 'recheck';
  }
  if (!endIsCrash(end)) {
    // tmux said %exit without "server exited unexpectedly": never a crash.
    return after.kind === 'up' ? 'reattach' : after.kind === 'down' ? 'ended' : 'recheck';
  }
  if (after.kind === 'up') return after.pid === pidAtAttach ? 'reattach' : 'crashed';
  return after.kind === 'down' ? 'crashed' : 'recheck';
}

/** One line saying how the control client's feed ended. */
export function describeEnd(end: FeedEnd): string {
  if (end.kind === 'exit') {
    if (end.reason) return `control client: %exit ${end.reason}`;
    return end.attached ? 'control client: %exit' : 'control client: %exit before it was attached (its session was gone)';
  }
  return `control client ended without %exit (code ${end.code ?? 'none'})${end.stderr ? `: ${end.stderr.split('\n')[0]}` : ''}`;
}
