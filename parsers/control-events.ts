/**
 * Event types produced by the tmux control-mode decoder (`tmux -C` output):
 * the contract between parsers/control-mode.ts and the tmux driver/daemon.
 * Pure types. Ids are kept exactly as tmux prints them: `$3`, `@7`, `%12`.
 */

/** `%output %<pane> <data>` / `%extended-output %<pane> <age> … : <data>`, unescaped to the exact bytes the pane wrote. */
export interface ControlOutputEvent {
  readonly type: 'output';
  readonly pane: string;
  /**
   * The bytes, in a view of a slab the decoder never writes again: safe to keep,
   * though keeping it keeps its slab (64 KiB) alive — copy small pieces kept long.
   */
  readonly data: Uint8Array;
  /** Milliseconds the output waited in tmux (`%extended-output` only, i.e. with pause-after). */
  readonly age?: number;
}

/** A command reply: `%begin <time> <number> <flags>` … `%end|%error` with the same three numbers. */
export interface ControlReplyEvent {
  readonly type: 'reply';
  /** False for `%error`. */
  readonly ok: boolean;
  readonly time: number;
  readonly number: number;
  readonly flags: number;
  /** Content lines as UTF-8 (invalid bytes become U+FFFD). */
  readonly lines: readonly string[];
  /** Set when a line was over the line limit or the reply over the reply limit; lines were dropped. */
  readonly truncated?: boolean;
}

/** `%sessions-changed`: a session was created or destroyed. */
export interface ControlSessionsChangedEvent {
  readonly type: 'sessions-changed';
}

/** `%session-changed $S name` (this client now shows S) and `%session-renamed $S name`. */
export interface ControlSessionEvent {
  readonly type: 'session-changed' | 'session-renamed';
  readonly session: string;
  readonly name: string;
}

/** `%client-session-changed <client> $S name`: another client switched session. */
export interface ControlClientSessionChangedEvent {
  readonly type: 'client-session-changed';
  readonly client: string;
  readonly session: string;
  readonly name: string;
}

/** `%client-detached <client>`. */
export interface ControlClientDetachedEvent {
  readonly type: 'client-detached';
  readonly client: string;
}

/** `%session-window-changed $S @W`: a session's current window changed. */
export interface ControlSessionWindowChangedEvent {
  readonly type: 'session-window-changed';
  readonly session: string;
  readonly window: string;
}

/**
 * `%window-add @W`, `%window-close @W`, `%unlinked-window-add @W`,
 * `%unlinked-window-close @W`. On tmux 3.3a windows closed in the client's own
 * session arrive as unlinked-window-close: treat both alike.
 */
export interface ControlWindowEvent {
  readonly type: 'window-add' | 'window-close' | 'unlinked-window-add' | 'unlinked-window-close';
  readonly window: string;
}

/** `%window-renamed @W name` / `%unlinked-window-renamed @W name`. */
export interface ControlWindowRenamedEvent {
  readonly type: 'window-renamed' | 'unlinked-window-renamed';
  readonly window: string;
  readonly name: string;
}

/** `%window-pane-changed @W %P`: the active pane of W changed. */
export interface ControlWindowPaneChangedEvent {
  readonly type: 'window-pane-changed';
  readonly window: string;
  readonly pane: string;
}

/** `%layout-change @W <layout> [<visible-layout> [<flags>]]`. */
export interface ControlLayoutChangeEvent {
  readonly type: 'layout-change';
  readonly window: string;
  readonly layout: string;
  readonly visibleLayout: string | null;
  readonly flags: string | null;
}

/** `%pane-mode-changed %P`, and flow control: `%pause %P`, `%continue %P`. */
export interface ControlPaneEvent {
  readonly type: 'pane-mode-changed' | 'pause' | 'continue';
  readonly pane: string;
}

/** `%paste-buffer-changed <name>` / `%paste-buffer-deleted <name>`. */
export interface ControlPasteBufferEvent {
  readonly type: 'paste-buffer-changed' | 'paste-buffer-deleted';
  readonly buffer: string;
}

/** `%exit [reason]`: the client is leaving (detached, server exited, too far behind, …). */
export interface ControlExitEvent {
  readonly type: 'exit';
  readonly reason: string | null;
}

/** Any other `%name …` line outside a reply (newer tmux, `%message`, `%subscription-changed`, …). */
export interface ControlNotificationEvent {
  readonly type: 'notification';
  readonly name: string;
  /** Everything after `%name ` (empty when none). */
  readonly args: string;
}

/** Every event the control-mode decoder can emit. */
export type ControlEvent =
  | ControlOutputEvent
  | ControlReplyEvent
  | ControlSessionsChangedEvent
  | ControlSessionEvent
  | ControlClientSessionChangedEvent
  | ControlClientDetachedEvent
  | ControlSessionWindowChangedEvent
  | ControlWindowEvent
  | ControlWindowRenamedEvent
  | ControlWindowPaneChangedEvent
  | ControlLayoutChangeEvent
  | ControlPaneEvent
  | ControlPasteBufferEvent
  | ControlExitEvent
  | ControlNotificationEvent;

/** Counters of a control-mode decoder. */
export interface ControlModeStats {
  readonly bytes: number;
  readonly lines: number;
  /** `%output`/`%extended-output` lines, and the bytes they decoded to. */
  readonly outputs: number;
  readonly outputBytes: number;
  readonly replies: number;
  readonly notifications: number;
  /** Lines that break the protocol (stray text, `%end` outside a reply, bad ids): skipped. */
  readonly malformed: number;
  /** Lines dropped for being over the line limit or beyond the reply limit. */
  readonly dropped: number;
  /** Bytes allocated for partial lines and decoding (bounded by the line limit). */
  readonly bufferBytes: number;
  readonly peakBufferBytes: number;
}
