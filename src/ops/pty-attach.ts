/**
 * Attach a terminal to a PTY session: take over the given input and output
 * (raw mode), paint the session's screen at once, then its scrollback, then
 * stream; keys go to the session until the detach key. When the host goes
 * away the terminal says "reconnecting…", the host is started again, and the
 * screen is redrawn when it is back. Resolves on detach, on the session's
 * end, or when the host cannot be reached again (at once when its
 * crash-loop breaker keeps it down). Used by `tsession attach`,
 * `tsession new` and the TUI's Enter.
 */
import type { HostToClient } from '../pty-host/client-protocol.js';
import { HostConnection, hostStartBlocked, PtyHostError, startHostProcess, type PtyHostAccess } from './pty-client.js';

/** The terminal an attach takes over. */
export interface AttachTerminal {
  readonly input: NodeJS.ReadableStream & { setRawMode?: (raw: boolean) => unknown; isTTY?: boolean; isRaw?: boolean };
  readonly output: NodeJS.WritableStream & { columns?: number; rows?: number; on(event: 'resize', l: () => void): unknown; off(event: 'resize', l: () => void): unknown };
}

/** How an attach ended. */
export type AttachEnd =
  | { readonly kind: 'detached' }
  | { readonly kind: 'exited'; readonly exitCode: number; readonly signal: number | null }
  | { readonly kind: 'host-lost'; readonly message: string }
  /** The host refused (no such session, …). */
  | { readonly kind: 'refused'; readonly error: PtyHostError };

/** Options of an attach. */
export interface AttachOptions {
  readonly readOnly: boolean;
  /** The byte that detaches (default Ctrl-\, 0x1c). */
  readonly detachKey?: number;
  /** Give up reconnecting after this long without the host (default 30 s). */
  readonly reconnectTimeoutMs?: number;
}

/** Ctrl-\ : what dtach uses too, and rarely needed by programs. */
export const DEFAULT_DETACH_KEY = 0x1c;

// What a detach leaves the terminal in: main screen, normal keys, no mouse,
// no bracketed paste or focus reports, cursor shown, colours reset, no sync.
const RESTORE_TERMINAL = '\x1b[?2026l\x1b[?1049l\x1b[?1l\x1b>\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l\x1b[?1004l\x1b[?25h\x1b[0m';

/** Turn a config spelling (`ctrl-\`, `ctrl-a`, `^]`) into the byte it sends; null when not a control key. */
export function parseDetachKey(spec: string): number | null {
  const m = /^(?:ctrl-|c-|\^)(.)$/i.exec(spec.trim());
  if (!m) return null;
  const code = m[1]!.toUpperCase().charCodeAt(0);
  return code >= 0x40 && code <= 0x5f ? code - 0x40 : null;
}

/** Attach `term` to session `name` until detach, exit, or a host that stays away. */
export async function attachPtySession(access: PtyHostAccess, name: string, term: AttachTerminal, options: AttachOptions): Promise<AttachEnd> {
  const conn = await HostConnection.open(access, { start: true, reconnect: true });
  const detachKey = options.detachKey ?? DEFAULT_DETACH_KEY;
  const size = () => ({ cols: term.output.columns ?? 80, rows: term.output.rows ?? 24 });
  const wasRaw = term.input.isRaw === true;
  let finish!: (end: AttachEnd) => void;
  const ended = new Promise<AttachEnd>((resolve) => (finish = resolve));
  let done = false;
  let lostSince: number | null = null;
  // When this client last started a host: again after a second without one (the first may have met the dying host's lock).
  let startedHostAt = 0;
  let giveUp: NodeJS.Timeout | null = null;

  const write = (data: string | Uint8Array) => term.output.write(data);
  const sendAttach = () => conn.send({ type: 'attach', name, ...size(), readOnly: options.readOnly });

  conn.onMessage = (m: HostToClient) => {
    switch (m.type) {
      case 'attached':
        write(m.screen);
        return;
      case 'history':
      case 'redraw':
        write(m.data);
        return;
      case 'output':
        write(m.data);
        return;
      case 'exited':
        end({ kind: 'exited', exitCode: m.exitCode, signal: m.signal });
        return;
      case 'error':
        end({ kind: 'refused', error: new PtyHostError(m.kind, m.message) });
        return;
      default:
        return;
    }
  };
  conn.onState = (state) => {
    if (state === 'reconnecting' || state === 'not-answering') {
      if (lostSince === null) {
        lostSince = Date.now();
        write(`\r\n\x1b[0m\x1b[7m tsession: ${state === 'not-answering' ? 'host not answering' : 'reconnecting…'} \x1b[0m`);
        giveUp = setTimeout(() => end({ kind: 'host-lost', message: 'The PTY host did not come back; tsession attach again to retry' }), options.reconnectTimeoutMs ?? 30_000);
      }
      // The host is gone for good unless someone starts it: this client does (its lock keeps it to one host).
      // Unless the crash-loop breaker keeps it down: then this terminal stops trying and says why.
      if (state === 'reconnecting' && Date.now() - startedHostAt > 1_000) {
        startedHostAt = Date.now();
        void hostStartBlocked(access).then((blocked) => {
          if (done) return;
          if (blocked) end({ kind: 'refused', error: blocked });
          else void startHostProcess(access).catch(() => {});
        });
      }
    }
    if (state === 'connected' && lostSince !== null) {
      lostSince = null;
      if (giveUp) clearTimeout(giveUp);
      // A fresh screen from the (new) host replaces whatever is on the terminal.
      sendAttach();
    }
  };

  const onData = (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const at = bytes.indexOf(detachKey);
    const keys = at >= 0 ? bytes.subarray(0, at) : bytes;
    if (keys.length > 0 && !options.readOnly) conn.send({ type: 'input', data: keys });
    if (at >= 0) end({ kind: 'detached' });
  };
  const onResize = () => {
    if (!options.readOnly) conn.send({ type: 'resize', ...size() });
  };

  function end(e: AttachEnd): void {
    if (done) return;
    done = true;
    if (giveUp) clearTimeout(giveUp);
    term.input.off('data', onData);
    term.output.off('resize', onResize);
    if (term.input.isTTY && term.input.setRawMode) term.input.setRawMode(wasRaw);
    term.input.pause();
    if (e.kind === 'detached') conn.send({ type: 'detach' });
    write(RESTORE_TERMINAL);
    conn.close();
    finish(e);
  }

  if (term.input.isTTY && term.input.setRawMode) term.input.setRawMode(true);
  term.input.on('data', onData);
  term.input.resume();
  term.output.on('resize', onResize);
  if (!sendAttach()) end({ kind: 'host-lost', message: 'The PTY host connection closed before attaching' });
  return ended;
}

