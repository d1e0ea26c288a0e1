/**
 * Live layout types: what tmux says a server holds right now. Distinct from
 * the checkpoint record types (checkpoints/schema.ts); sessions/record.ts is
 * the one place that converts between them.
 */

/** A pane as tmux reports it. */
export interface LivePane {
  readonly id: string;
  readonly index: number;
  readonly title: string;
  readonly active: boolean;
  readonly last: boolean;
  readonly width: number;
  readonly height: number;
  /** PID of the pane's own process (normally the shell). */
  readonly pid: number;
  readonly tty: string;
  /** tmux's pane_current_command (only filled where /proc had nothing; else ''). */
  readonly currentCommand: string;
  /** tmux's pane_current_path (only filled where /proc had nothing; else ''). */
  readonly currentPath: string;
  readonly dead: boolean;
  readonly alternateOn: boolean;
  /** The restore's pending marker on this pane (sessions/live/pending.ts), absent when none. */
  readonly pending?: string;
  /** Options people set and expect back (pane options since tmux 3.2), absent when off. */
  readonly options?: PaneOptions;
}

/** The pane options a restore brings back, each present only when not tmux's default (off). */
export interface PaneOptions {
  /** synchronize-panes: keys typed in one pane go to every synchronized pane of the window. */
  readonly synchronizePanes?: true;
  /** remain-on-exit: the pane stays when its program exits (`failed`: only when it failed). */
  readonly remainOnExit?: 'on' | 'failed';
}

/** A window with its panes in index order. */
export interface LiveWindow {
  readonly id: string;
  readonly index: number;
  readonly name: string;
  readonly automaticRename: boolean;
  /** window_layout (zoom ignored), accepted by select-layout. */
  readonly layout: string;
  readonly active: boolean;
  readonly last: boolean;
  readonly zoomed: boolean;
  readonly width: number;
  readonly height: number;
  readonly panes: readonly LivePane[];
}

/** A session with its windows in index order. */
export interface LiveSession {
  readonly id: string;
  readonly name: string;
  /** Unix seconds. */
  readonly created: number;
  readonly baseIndex: number;
  /** Number of attached clients (control clients included). */
  readonly attached: number;
  /**
   * The session group it belongs to (`new-session -t`), absent when none.
   * Sessions of a group share every window; each keeps its own current one.
   */
  readonly group?: string;
  readonly windows: readonly LiveWindow[];
}

/** Everything one `list-panes -a` tells about a server. */
export interface LiveServer {
  readonly version: string;
  readonly pid: number;
  readonly socketPath: string;
  readonly sessions: readonly LiveSession[];
}
