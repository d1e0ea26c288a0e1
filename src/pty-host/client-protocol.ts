/**
 * The messages between the PTY host and its clients (the CLI's attach,
 * peek, new, kill, list; the TUI). Plain objects with a `type`; an unknown
 * type is ignored. A session frame carries the session's incarnation `id`,
 * so a client that reconnects knows whether it still talks to the same shell.
 */

/** A PTY session as list shows it. */
export interface PtySessionInfo {
  readonly name: string;
  readonly id: string;
  readonly state: 'running' | 'exited' | 'starting';
  readonly pid: number | null;
  readonly exitCode: number | null;
  readonly signal: number | null;
  readonly cols: number;
  readonly rows: number;
  readonly title: string;
  readonly cwd: string | null;
  readonly clients: number;
  readonly createdAt: number;
  /** Set when this session was revived from a checkpoint (epoch ms). */
  readonly revivedAt: number | null;
  /** Output bytes the mirror has taken since the process started, and bytes it never got (the keeper's ring overflowed while no host followed). */
  readonly outputBytes: number;
  readonly lostBytes: number;
}

/** Why a request failed, as a kind a caller can branch on. */
export type HostErrorKind = 'unknown-session' | 'exists' | 'bad-request' | 'spawn-failed' | 'not-running';

/** What a client asks. */
export type ClientToHost =
  | { readonly type: 'list' }
  | {
      readonly type: 'new';
      readonly name: string;
      /** null: the user's shell (with shell integration); else the program and its arguments. */
      readonly argv: readonly string[] | null;
      readonly cwd: string;
      readonly cols: number;
      readonly rows: number;
      readonly env: Readonly<Record<string, string>>;
    }
  | { readonly type: 'attach'; readonly name: string; readonly cols: number; readonly rows: number; readonly readOnly: boolean }
  | { readonly type: 'input'; readonly data: Uint8Array | string }
  | { readonly type: 'resize'; readonly cols: number; readonly rows: number }
  | { readonly type: 'detach' }
  | { readonly type: 'peek'; readonly name: string; readonly ansi: boolean }
  | { readonly type: 'kill'; readonly name: string };

/** What the host answers and streams. */
export type HostToClient =
  | { readonly type: 'sessions'; readonly sessions: readonly PtySessionInfo[] }
  | { readonly type: 'created'; readonly name: string; readonly id: string; readonly pid: number }
  /** Attached: `screen` paints the visible screen at once; the scrollback follows in `history`. */
  | { readonly type: 'attached'; readonly name: string; readonly id: string; readonly screen: string }
  | { readonly type: 'history'; readonly id: string; readonly data: string }
  | { readonly type: 'output'; readonly id: string; readonly data: Uint8Array }
  /** A fresh screen instead of output the client missed (it fell behind). */
  | { readonly type: 'redraw'; readonly id: string; readonly data: string }
  | { readonly type: 'exited'; readonly id: string; readonly exitCode: number; readonly signal: number | null }
  | { readonly type: 'peeked'; readonly name: string; readonly text: string }
  | { readonly type: 'killed'; readonly name: string }
  | { readonly type: 'error'; readonly kind: HostErrorKind; readonly message: string };
