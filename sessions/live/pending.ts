/**
 * Restored panes that have not settled yet, and what a checkpoint records
 * for them. A restore leaves panes in passing states — a gate's `sh` holding
 * the shell back, a shell not yet at its prompt, a command not yet typed or
 * re-run — that must never be recorded as such (DESIGN.md, "Watch mode"): a
 * crash right after would restore the gate's `sh` and no programs. Shared by
 * the restore (it marks and unmarks panes) and the snapshot (it carries the
 * checkpoint's facts forward for marked panes). Pure. Non-goals: reading
 * tmux or /proc, reading checkpoints.
 */
import type { PaneRecord } from '../../checkpoints/schema.js';
import { PENDING_OPTION } from '../tmux/formats.js';

/**
 * Start argv of a pane with saved contents: sh waits on one line from the
 * pane's terminal, then execs the shell (same process, no fork). The
 * executor writes the contents to the pane's tty — output, before any
 * prompt — and then presses Enter there, whose echo ends the last line. No
 * file, no `cat`/`rm` processes: on this machine each fork+exec costs ~3-5
 * ms, and tmux already forks once per pane.
 */
export const GATE_SCRIPT = 'IFS= read -r _;exec "$@"';
/** $0 of the gate (shown by ps while it waits). */
export const GATE_NAME = 'tsession-gate';

/** A pane's process argv while it waits at a gate: `sh -c GATE_SCRIPT GATE_NAME <shell argv…>`. */
export const gateArgv = (shell: readonly string[]): string[] => ['sh', '-c', GATE_SCRIPT, GATE_NAME, ...shell];

/** The shell argv a gated pane will exec, when `argv` (a pane process's /proc argv) is a gate; else null. */
export function gatedShellArgv(argv: readonly string[] | null): string[] | null {
  if (!argv || argv.length < 5 || argv[1] !== '-c' || argv[2] !== GATE_SCRIPT || argv[3] !== GATE_NAME) return null;
  return argv.slice(4);
}

/**
 * A restore sets the pane user option PENDING_OPTION on each pane it has
 * not finished with (a gate not yet opened, a command not yet typed or
 * re-run) and unsets it when done. Its value names the saved pane the
 * restore is making (see PendingMarker) and a deadline, so a restore that
 * died half-way (a killed `tsession restore`) cannot pin a pane to old
 * facts for longer than that.
 */
export { PENDING_OPTION };

/** What a pending marker says: which checkpoint's pane this pane is becoming, until when. */
export interface PendingMarker {
  /** Wall-clock ms after which the marker is stale (its restore died). */
  readonly untilMs: number;
  readonly checkpointId: string;
  /** The pane's id in that checkpoint. */
  readonly paneId: string;
}

/** The option value of a marker: `<untilMs> <checkpoint id> <pane id>` (ids hold no spaces). */
export const encodePending = (m: PendingMarker): string => `${Math.round(m.untilMs)} ${m.checkpointId} ${m.paneId}`;

/** Decode a marker value; null for an empty or foreign value. */
export function decodePending(value: string): PendingMarker | null {
  const m = /^(\d+) (\S+) (%\d+)$/.exec(value);
  return m ? { untilMs: Number(m[1]), checkpointId: m[2]!, paneId: m[3]! } : null;
}

/** Key of a saved pane in the map of carried records: `<checkpoint id> <pane id>`. */
export const pendingKey = (m: Pick<PendingMarker, 'checkpointId' | 'paneId'>): string => `${m.checkpointId} ${m.paneId}`;

/** The marker a pane still honours at `nowMs` (set, well-formed, not stale), else null. */
export function livePending(value: string | undefined, nowMs: number): PendingMarker | null {
  const m = value ? decodePending(value) : null;
  return m && m.untilMs > nowMs ? m : null;
}

/**
 * The record of a restored pane that has not settled: where the pane is now
 * (id, index, size, flags, title: tmux's live view, which the restore has
 * already made) with what the restore is making of it, taken from the saved
 * pane — shell, cwd, foreground program, last command, contents and the
 * pane options the restore sets once done with the pane (the
 * screen may not show them yet, or already shows a typed command line that
 * the next restore would replay above its own). So a crash at any moment
 * of a restore restores the same panes again, and nothing accumulates.
 */
export function carryForward(live: PaneRecord, saved: PaneRecord): PaneRecord {
  const { lastCommand: _drop, options: _notYet, ...place } = live;
  return {
    ...place,
    shell: saved.shell,
    cwd: saved.cwd,
    foreground: saved.foreground,
    contents: saved.contents,
    ...(saved.lastCommand !== undefined ? { lastCommand: saved.lastCommand } : {}),
    ...(saved.options !== undefined ? { options: saved.options } : {}),
  };
}

/** What every restore's temporary session name starts with. */
export const RESTORE_TMP_PREFIX = 'tsession-restore-';

/** Restore's temporary session names (`tsession-restore-<hex>-<n>`): gone or renamed once the restore ends, never recorded. */
export const RESTORE_TMP_RE = new RegExp(`^${RESTORE_TMP_PREFIX}[0-9a-f]+-\\d+$`);

/** The temporary name session `i` of a restore is built under. */
export const restoreTmpName = (suffix: string, i: number): string => `${RESTORE_TMP_PREFIX}${suffix}-${i}`;
