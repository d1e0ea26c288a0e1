/**
 * The data the interface shows and the services that get and change it,
 * as types only: the container holds a Snapshot, asks TuiServices for work,
 * and never touches tmux, /proc or the store itself. Tests pass fake
 * services; services.ts has the real ones.
 */
import type { CheckpointBody } from '../../checkpoints/schema.js';
import type { CheckpointEntry } from '../../checkpoints/store.js';
import type { Difference } from '../../sessions/live/compare.js';
import type { HealthReport, PaneFacts, SessionVerdict } from '../../sessions/health/classify.js';
import type { RepairEvent, RepairOutcome } from '../../sessions/repair/execute.js';
import type { RepairPlan, RepairStep } from '../../sessions/repair/plan.js';
import type { RestoreProgress } from '../../sessions/restore/transaction.js';
import type { JournalEntry } from '../ops/journal.js';

/** A journal line in the interface: the server's, or the PTY host's (`source: 'pty'`). */
export type ShownEntry = JournalEntry & { readonly source?: 'pty' };
import type { PtyListing } from '../ops/pty-sessions.js';
import type { TimelineEntry } from '../ops/timeline.js';
import type { FieldError, NewPtyRequest } from './new-pty-form.js';
import type { Line } from './view/line.js';

/** Where the interface is looking. */
export interface TuiInfo {
  /** How the server was chosen: `-L work`, `-S /path`, `$TMUX`, `default`. */
  readonly serverLabel: string;
  readonly socketPath: string;
  readonly stateDir: string;
  /** The tmux pane this interface runs in, when it runs inside a client of this same server ($TMUX_PANE), else null. */
  readonly ownPane?: string | null;
  /** The home directory, for `~/…` in paths shown; null when unknown. */
  readonly home?: string | null;
}

/** What one refresh learned. */
export interface Snapshot {
  readonly at: number;
  readonly report: HealthReport;
  /** Checkpoints of this server, newest first. */
  readonly checkpoints: readonly CheckpointEntry[];
  /** Per-pane /proc facts of this round (cwd, foreground command). */
  readonly panes: readonly PaneFacts[];
  /** Something a person should know (unreadable store, tmux missing), or null. */
  readonly problem: string | null;
  /** The newest journal entries, newest last, the PTY host's marked (absent until a full refresh has read them). */
  readonly journal?: readonly ShownEntry[];
  /** tsession's own PTY sessions (absent until a full refresh listed them; null when they could not be read). */
  readonly pty?: { readonly hostRunning: boolean; readonly sessions: readonly PtyListing[] } | null;
  /** The watch daemon following this server (`tsession --watch`), or null when none runs. */
  readonly watcher?: {
    readonly pid: number;
    readonly since: string;
    /** Its saves are not working (the journal's newest save failed, or the config went bad), as a phrase. */
    readonly trouble?: string;
  } | null;
}

/** The outcome of an action, as one line for the status line. */
export interface ActionResult {
  readonly ok: boolean;
  readonly message: string;
}

/** A restore the person asked for. */
export interface RestoreRequest {
  readonly checkpointId: string;
  readonly sessions: readonly string[];
  /** Replace running sessions of the same name. */
  readonly replace: boolean;
  /** Restore a copy under this name (`tsession restore --as`). */
  readonly as?: string;
}

/** A saved command that would not be re-run, listed for approval. */
export interface UnlistedCommand {
  /** "db:1.0". */
  readonly where: string;
  readonly command: string;
  /** Program basename, used to approve it for this restore. */
  readonly program: string;
}

/** What a restore would do, learned before anything runs. */
export interface RestorePreview {
  readonly checkpointId: string;
  readonly createdAt: string;
  readonly sessions: readonly { readonly name: string; readonly windows: readonly { readonly index: number; readonly name: string }[]; readonly panes: number }[];
  /** Commands not on the allowlist: the person approves (run) or skips (typed only). */
  readonly unlisted: readonly UnlistedCommand[];
  /** Sessions of the same name already running (restore needs replace). */
  readonly running: readonly string[];
  /** The copy's name, when restoring `--as`. */
  readonly as?: string;
}

/** The result of a diff. */
export type DiffResult =
  | { readonly kind: 'differences'; readonly checkpointId: string; readonly differences: readonly Difference[] }
  | { readonly kind: 'not-running'; readonly checkpointId: string; readonly windows: number; readonly panes: number }
  | { readonly kind: 'not-saved' }
  | { readonly kind: 'error'; readonly message: string };

/** Everything the interface does to the world. */
export interface TuiServices {
  readonly info: TuiInfo;
  /** Fast first look: the layout (short timeout) and the checkpoint index, no pane probes. */
  quick(): Promise<Snapshot>;
  /** One full, bounded probe round and classification. */
  refresh(): Promise<Snapshot>;
  /** A checkpoint's body (cached), for the tree of a crashed session and last commands. */
  checkpoint(id: string): Promise<{ readonly ok: true; readonly body: CheckpointBody } | { readonly ok: false; readonly message: string }>;
  diff(session: string, checkpointId: string): Promise<DiffResult>;
  previewRestore(request: RestoreRequest): Promise<RestorePreview | ActionResult>;
  /** Restore; `approve` re-runs the unlisted commands instead of only typing them. */
  restore(request: RestoreRequest, approve: boolean, onProgress: (p: RestoreProgress) => void): Promise<ActionResult>;
  /**
   * Restore as a process of its own (`tsession restore … --replace`), for a
   * restore that replaces the session this interface runs in: the restore
   * finishes (and is journaled) even though the interface dies with the
   * session. Resolves once the process started.
   */
  restoreDetached(request: RestoreRequest): Promise<ActionResult>;
  /** The timeline of `session`: each of its checkpoints (newest first) with cause, change summary, programs and panes; or why not. */
  timeline(session: string, checkpoints: readonly CheckpointEntry[]): Promise<readonly TimelineEntry[] | string>;
  /**
   * Inside tmux, put `text` in a paste buffer of the server this interface
   * runs in, and (`set-buffer -w`) on the outer terminal's clipboard as tmux
   * does for its own copies; outside tmux, nothing. Never throws.
   */
  copyToTmux?(text: string): Promise<void>;
  save(): Promise<ActionResult>;
  removeCheckpoint(id: string): Promise<ActionResult>;
  /** Forget a saved session that is not running (src/ops/departures.ts forgetSession). */
  forgetSession(name: string): Promise<ActionResult>;
  planUnfreeze(verdict: SessionVerdict): RepairPlan;
  unfreeze(plan: RepairPlan, confirm: (step: RepairStep) => Promise<boolean>, onEvent: (e: RepairEvent) => void): Promise<RepairOutcome>;
  /**
   * Create a detached PTY session (starts the PTY host when needed): in the
   * directory asked for (home by default), running the command asked for
   * (the user's shell by default). A value found wrong (no such directory,
   * no such program, a name the host refuses or already has) fails with its
   * field, for the form to say under it.
   */
  newPty(request: NewPtyRequest): Promise<ActionResult | ({ readonly ok: false } & FieldError)>;
  /** End a PTY session. */
  killPty(name: string): Promise<ActionResult>;
  /** Start the PTY host: it adopts what the keeper holds and revives the rest from the checkpoint. */
  revivePty(): Promise<ActionResult>;
  /**
   * The screen of a live tmux session's active pane (its captured contents,
   * with their colours), or why not. An unchanged screen comes back as the
   * same `lines` array, so the interface repaints nothing.
   */
  previewTmux(session: string): Promise<{ readonly pane: string; readonly lines: readonly Line[] } | string>;
  /** A PTY session's screen as styled rows (from its headless terminal), or why not; unchanged: the same array. */
  previewPty(name: string): Promise<readonly Line[] | string>;
  /** Stop background work (the refresh worker) when the interface ends. */
  close?(): void;
}
