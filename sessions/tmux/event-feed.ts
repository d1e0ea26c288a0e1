/**
 * A tmux server's notifications as events: one control-mode client attached
 * to one session (session-level notifications reach every control client,
 * TMUX-FACTS.md), decoded by parsers/control-mode. How the feed ended tells
 * a crash (`%exit server exited unexpectedly`, or EOF with no `%exit`) from
 * a server that ended or a session that closed.
 */
import { createControlModeParser } from '../../parsers/control-mode.js';
import type { ControlEvent } from '../../parsers/control-events.js';
import type { ServerSpec } from './server.js';
import { spawnControlClient } from './client.js';

/** How long output may still arrive after the client process exited. */
const EXIT_DRAIN_MS = 200;

/** How a feed ended. */
export type FeedEnd =
  /**
   * tmux said `%exit`, with its reason (null: none, e.g. kill-server or
   * detach). `attached`: the client got as far as its own
   * `%session-changed`; a client whose session was gone by the time it
   * attached says a bare `%exit` too, which tells nothing about the server.
   */
  | { readonly kind: 'exit'; readonly reason: string | null; readonly code: number | null; readonly attached: boolean }
  /** The client's output ended without `%exit`: it was killed, or could not start. */
  | { readonly kind: 'eof'; readonly code: number | null; readonly stderr: string };

/** Notifications, without command replies (ours) or `%exit` (reported as the end). */
export type FeedEvent = Exclude<ControlEvent, { type: 'reply' } | { type: 'exit' } | { type: 'output' }>;

export interface EventFeed {
  readonly pid: number | undefined;
  /** Resolves once the client has exited and its output is drained. */
  readonly ended: Promise<FeedEnd>;
  /** Detach (end stdin), keep reading until EOF; SIGKILL after `graceMs`. */
  close(graceMs?: number): Promise<FeedEnd>;
}

/** Whether an end means the server died rather than ended or let us go. */
export function endIsCrash(end: FeedEnd): boolean {
  if (end.kind === 'exit') return end.reason !== null && /server exited unexpectedly|lost server/.test(end.reason);
  return true;
}

/** Pane output, for a feed that asks for it. */
export interface FeedOutput {
  /** The exact bytes pane `pane` wrote (a view: feed it on at once, or copy it). */
  onOutput(pane: string, data: Uint8Array): void;
  /** Seconds of undelivered output after which tmux pauses a pane for this client. */
  readonly pauseAfterS: number;
}

const PANE_ID = /^%\d+$/;

/**
 * Reading pane output in fewer, larger reads. tmux writes a busy pane's
 * `%output` in ~5 KB pieces; reading each as it comes costs a read call, a
 * Buffer and a callback per piece — measured as most of a Node reader's CPU
 * (a bare reader counting lines: ~170 ms for 20 MB in ~4,200 reads). After
 * a small read the pipe is left alone for `gapMs`, so the next read takes
 * what tmux wrote meanwhile at once (~700 reads). Markers are seen at most
 * `gapMs` later; tmux's own flow control (`pause-after`) still guards a
 * client that falls behind.
 */
export const OUTPUT_READS = {
  /** A read smaller than this is followed by a pause. */
  smallReadBytes: 32 * 1024,
  gapMs: 20,
} as const;

/** The libuv handle under a pipe stream, when Node exposes it (it always has; absent, reads stay as they are). */
interface ReadHandle {
  readStop(): number;
  readStart(): number;
}

/** Pause the pipe's reads for a moment after each small read (OUTPUT_READS). */
function coalesceReads(stream: NodeJS.ReadableStream & { destroyed: boolean }): (chunk: Buffer) => void {
  const handle = (stream as unknown as { _handle?: Partial<ReadHandle> | null })._handle;
  if (!handle || typeof handle.readStop !== 'function' || typeof handle.readStart !== 'function') return () => {};
  const h = handle as ReadHandle;
  let paused = false;
  return (chunk) => {
    if (paused || chunk.length >= OUTPUT_READS.smallReadBytes) return;
    paused = true;
    h.readStop();
    setTimeout(() => {
      paused = false;
      if (!stream.destroyed) h.readStart();
    }, OUTPUT_READS.gapMs).unref();
  };
}

/**
 * A format tmux evaluates for this client once a second (tmux 3.2+
 * `refresh-client -B`), sending `%subscription-changed <name> …` whenever
 * its value changes. In the client's session's context, but a `#{S:…}` loop
 * walks every session: how one client hears of changes tmux notifies only
 * to clients of other sessions (a `split-window -d` there, TMUX-FACTS.md).
 */
export interface Subscription {
  /** Letters, digits, `-` and `_`. */
  readonly name: string;
  /** No `'` and no line break: it is sent single-quoted on one line. */
  readonly format: string;
}

const SUBSCRIPTION_NAME = /^[A-Za-z0-9_-]+$/;

/** The command line that subscribes to `sub`; throws on a name or format that cannot be sent safely. */
export function subscribeCommand(sub: Subscription): string {
  if (!SUBSCRIPTION_NAME.test(sub.name) || /['\n\r]/.test(sub.format)) {
    throw new Error(`Expected a subscription name of [A-Za-z0-9_-] and a format without quotes or line breaks, got ${JSON.stringify(sub)}`);
  }
  return `refresh-client -B '${sub.name}::${sub.format}'\n`;
}

/**
 * Attach a control client to `sessionId` and call `onEvent` for each
 * notification (and each change of a `subscriptions` format); with
 * `output`, also hand over the output of the panes in that session's
 * windows. A pane tmux paused for this client (it fell
 * behind; tmux dropped what was waiting) is continued at once: the feed
 * loses some bytes, never the pane's own flow.
 */
export function openEventFeed(
  server: ServerSpec,
  sessionId: string,
  onEvent: (e: FeedEvent) => void,
  env?: NodeJS.ProcessEnv,
  output?: FeedOutput,
  subscriptions: readonly Subscription[] = [],
): EventFeed {
  let subscribe = subscriptions.map(subscribeCommand);
  const child = spawnControlClient(server, sessionId, env, output ? { pauseAfterS: output.pauseAfterS } : undefined);
  const parser = createControlModeParser();
  let exitReason: string | null | undefined;
  let attached = false;
  let stderr = '';
  const take = (events: readonly ControlEvent[]) => {
    for (const e of events) {
      if (e.type === 'exit') exitReason = e.reason;
      else if (e.type === 'output') output?.onOutput(e.pane, e.data);
      else if (e.type === 'reply') continue;
      else {
        // Sent once attached (the client's own %session-changed): one that
        // reaches tmux before the attach fails with "no current client".
        if (e.type === 'session-changed') attached = true;
        if (e.type === 'session-changed' && subscribe.length) {
          for (const c of subscribe) child.stdin.write(c);
          subscribe = [];
        }
        // The id comes from tmux's own line, checked before it goes into a command.
        if (e.type === 'pause' && output && PANE_ID.test(e.pane)) child.stdin.write(`refresh-client -A '${e.pane}:continue'\n`);
        onEvent(e);
      }
    }
  };
  const coalesce = output ? coalesceReads(child.stdout) : () => {};
  child.stdout.on('data', (chunk: Buffer) => {
    take(parser.push(chunk));
    coalesce(chunk);
  });
  child.stderr.on('data', (b: Buffer) => {
    if (stderr.length < 4096) stderr += b.toString('utf8');
  });
  // A write to a client that already left (EPIPE) is not an error here.
  child.stdin.on('error', () => {});
  const ended = new Promise<FeedEnd>((resolve) => {
    let settled = false;
    const settle = (code: number | null) => {
      if (settled) return;
      settled = true;
      take(parser.flush());
      resolve(exitReason !== undefined ? { kind: 'exit', reason: exitReason, code, attached } : { kind: 'eof', code, stderr: stderr.trim() });
    };
    child.on('error', (e) => {
      stderr ||= e.message;
      settle(null);
    });
    child.on('close', (code) => settle(code));
    // tmux's server holds the client's stdout too (control.c keeps its fd):
    // with a frozen server the pipe never closes, so the client's exit ends
    // the feed once what it wrote has had a moment to drain.
    child.on('exit', (code) => {
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        settle(code);
      }, EXIT_DRAIN_MS).unref();
    });
  });
  return {
    pid: child.pid,
    ended,
    close(graceMs = 2_000) {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      return ended.finally(() => clearTimeout(timer));
    },
  };
}
