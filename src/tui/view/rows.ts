/**
 * The sessions list: one row per session (live ones, then those only a
 * checkpoint remembers) with its badge, window and pane counts, whether a
 * person is attached, and the age of its newest checkpoint.
 */
import type { CheckpointEntry } from '../../../checkpoints/store.js';
import type { SessionVerdict } from '../../../sessions/health/classify.js';
import { liveChanges, type Change } from '../../ops/timeline.js';
import type { Snapshot } from '../model.js';
import type { PtyKind, PtyListing } from '../../ops/pty-sessions.js';
import { ptyStateText } from '../../ops/pty-words.js';
import type { Color } from './line.js';
import { BADGE_WIDTH, BADGES, badgeText, type BadgeState } from '../theme.js';
import { fitLine, seg, type Line } from './line.js';
import { paneCount } from '../../../checkpoints/counts.js';
import { age, visible } from '../../../checkpoints/words.js';
import { fit, fitRight, textWidth, wrap } from './text.js';

/** One list row. */
export interface SessionRow {
  /** A tmux session (PTY sessions are PtyRow). */
  readonly kind: 'tmux';
  readonly name: string;
  readonly badge: BadgeState;
  readonly verdict: SessionVerdict;
  readonly windows: number | null;
  readonly panes: number | null;
  readonly attached: boolean | null;
  /** The newest valid checkpoint holding this session. */
  readonly newest: CheckpointEntry | null;
  /** How the live session differs from its newest checkpoint (empty when it matches, is not running, or nothing is saved). */
  readonly changes: readonly Change[];
}

// Rows are built several times per frame: the comparison once per snapshot and session.
const compared = new WeakMap<Snapshot, Map<string, readonly Change[]>>();

/** What changed in a live session since its newest checkpoint, as the diff shows it. */
function changesOf(snapshot: Snapshot, v: SessionVerdict, home: string | null): readonly Change[] {
  const record = v.saved?.record;
  if (!v.liveSession || !record) return [];
  let per = compared.get(snapshot);
  if (!per) compared.set(snapshot, (per = new Map()));
  const known = per.get(v.session);
  if (known) return known;
  const changes = liveChanges(record, v.liveSession, snapshot.panes.filter((p) => p.session === v.session), home);
  per.set(v.session, changes);
  return changes;
}

/** Checkpoints of `name`, newest first (all, valid or not). */
export const checkpointsOf = (snapshot: Snapshot, name: string): CheckpointEntry[] =>
  snapshot.checkpoints.filter((e) => e.sessions.includes(name));

/** Build the rows, filtered by a case-insensitive substring of the name. */
export function sessionRows(snapshot: Snapshot | null, filter = '', home: string | null = null): SessionRow[] {
  if (!snapshot) return [];
  const f = filter.toLowerCase();
  const slow = snapshot.report.server.state === 'slow' || snapshot.report.server.state === 'error';
  return snapshot.report.sessions
    .filter((v) => !f || v.session.toLowerCase().includes(f))
    .map((v) => {
      const live = v.liveSession;
      const record = v.saved?.record ?? null;
      const win = live?.windows ?? record?.windows ?? null;
      const changes = v.health === 'healthy' ? changesOf(snapshot, v, home) : [];
      // Attachment has its own column: HEALTH says health. A change the
      // checkpoint does not hold yet (a window added, a cwd) is "changed".
      const health: BadgeState = changes.length ? 'changed' : v.health;
      return {
        kind: 'tmux' as const,
        name: v.session,
        // A server that is slow to answer has not said a session is gone.
        badge: slow && v.health === 'crashed' ? 'checking' : health,
        changes,
        verdict: v,
        windows: win ? win.length : null,
        panes: win ? paneCount({ windows: win }) : null,
        attached: v.attachedClients === null ? null : v.attachedClients > 0,
        newest: checkpointsOf(snapshot, v.session).find((e) => e.valid) ?? null,
      };
    });
}

/** One of tsession's own PTY sessions (`tsession new`). */
export interface PtyRow {
  readonly kind: 'pty';
  readonly name: string;
  readonly listing: PtyListing;
}

/** A row of the list: a tmux session or a PTY session. */
export type ListRow = SessionRow | PtyRow;

/**
 * How a PTY session is selected: tmux forbids ':' in session names, so
 * `pty:NAME` never names a tmux session.
 */
export const ptyKey = (name: string): string => `pty:${name}`;
/** The PTY session a selection names, or null for a tmux session. */
export const ptyNameOf = (key: string | null): string | null => (key?.startsWith('pty:') ? key.slice(4) : null);
/** How a row is selected. */
export const rowKey = (row: ListRow): string => (row.kind === 'pty' ? ptyKey(row.name) : row.name);

/** The colour of each PTY state, as the badges colour health: running is fine, gone is red, unreachable yellow. */
export const PTY_STATE_COLORS: Readonly<Record<PtyKind, Color>> = {
  running: 'green',
  exited: 'gray',
  revivable: 'red',
  'host down': 'yellow',
  'left down': 'red',
};

/** The PTY rows, filtered like the tmux rows. */
export function ptyRows(snapshot: Snapshot | null, filter = ''): PtyRow[] {
  const f = filter.toLowerCase();
  return (snapshot?.pty?.sessions ?? []).filter((p) => !f || p.name.toLowerCase().includes(f)).map((listing) => ({ kind: 'pty' as const, name: listing.name, listing }));
}

/** Every row of the list: tmux sessions, then PTY sessions (as `tsession list` orders them). */
export const listRows = (snapshot: Snapshot | null, filter = '', home: string | null = null): ListRow[] => [...sessionRows(snapshot, filter, home), ...ptyRows(snapshot, filter)];

/**
 * Column widths of the list for a terminal `width` wide: the name column as
 * wide as the longest name (not the whole terminal), so a row carries no
 * run of blanks for the renderer to push through.
 */
export function listColumns(width: number, longestName = Infinity) {
  const fixed = { marker: 2, badge: BADGE_WIDTH, windows: 4, panes: 6, attached: 9, checkpoint: 10 };
  const gaps = 5;
  const used = Object.values(fixed).reduce((a, b) => a + b, 0) + gaps;
  return { ...fixed, name: Math.max(8, Math.min(width - used, longestName + 2)) };
}

const longest = (rows: readonly ListRow[]) => rows.reduce((n, r) => Math.max(n, textWidth(visible(r.name))), 7);

/** The list's title line. */
export function listHeader(width: number, longestName = Infinity): Line {
  const c = listColumns(width, longestName);
  const text = `${' '.repeat(c.marker)}${fit('SESSION', c.name)} ${fit('HEALTH', c.badge)} ${fitRight('WIN', c.windows)} ${fitRight('PANES', c.panes)} ${fitRight('ATTACHED', c.attached)} ${fitRight('CHECKPOINT', c.checkpoint)}`;
  return fitLine([seg(text, { bold: true })], width);
}

/** A PTY row: its state in the HEALTH column, one pane, no windows or checkpoint age. */
function ptyRowLine(row: PtyRow, selected: boolean, focused: boolean, width: number, longestName: number): Line {
  const c = listColumns(width, longestName);
  const p = row.listing;
  const hl = selected && focused ? { inverse: true } : {};
  return fitLine(
    [
      seg(selected ? '▶ ' : '  ', { bold: true }),
      seg(fit(visible(row.name), c.name), { ...hl, bold: selected }),
      seg(' '),
      seg(fit(ptyStateText(p), c.badge), { color: PTY_STATE_COLORS[p.kind], bold: p.kind !== 'running' }),
      seg(` ${fitRight('pty', c.windows)} ${fitRight('1', c.panes)} ${fitRight(p.clients > 0 ? 'yes' : 'no', c.attached)} ${fitRight('-', c.checkpoint)}`),
    ],
    width,
  );
}

/** One row as a line; the selected row is marked by ▶ and shown inverse. */
export function rowLine(row: ListRow, selected: boolean, focused: boolean, width: number, now: number, longestName = Infinity): Line {
  if (row.kind === 'pty') return ptyRowLine(row, selected, focused, width, longestName);
  const c = listColumns(width, longestName);
  const b = BADGES[row.badge];
  const count = (n: number | null, w: number) => fitRight(n === null ? '-' : String(n), w);
  const attached = row.attached === null ? '-' : row.attached ? 'yes' : 'no';
  const checkpoint = row.newest ? `${age(now - Date.parse(row.newest.createdAt))} ago` : 'never';
  const hl = selected && focused ? { inverse: true } : {};
  return fitLine(
    [
      seg(selected ? '▶ ' : '  ', { bold: true }),
      seg(fit(visible(row.name), c.name), { ...hl, bold: selected }),
      seg(' '),
      seg(fit(badgeText(row.badge), c.badge), { color: b.color, bold: row.badge !== 'healthy' }),
      seg(` ${count(row.windows, c.windows)} ${count(row.panes, c.panes)} ${fitRight(attached, c.attached)} ${fitRight(checkpoint, c.checkpoint)}`),
    ],
    width,
  );
}

/** The list area: title line plus `height - 1` rows, scrolled to keep the selection in view. */
export function listLines(rows: readonly ListRow[], selected: string | null, focused: boolean, width: number, height: number, now: number, filter: string, emptyWhy: string | null = null): Line[] {
  const nameWidth = longest(rows);
  const out: Line[] = [listHeader(width, nameWidth)];
  const room = Math.max(0, height - 1);
  if (rows.length === 0) {
    const why = filter ? `no session matches "${visible(filter)}" — / then Esc clears the filter` : (emptyWhy ?? 'no sessions, live or saved — s saves a checkpoint, ? shows every key');
    // Wrapped: the way out of an empty list must be read whole.
    for (const part of wrap(why, Math.max(10, width - 3)).slice(0, Math.max(1, height - 1))) out.push(fitLine([seg(`  ${part}`, { dim: !emptyWhy || !!filter, ...(emptyWhy && !filter ? { color: 'yellow' as const } : {}) })], width));
  } else {
    const at = Math.max(0, rows.findIndex((r) => rowKey(r) === selected));
    const first = Math.min(Math.max(0, at - room + 1), Math.max(0, rows.length - room));
    for (const r of rows.slice(first, first + room)) out.push(rowLine(r, rowKey(r) === selected, focused, width, now, nameWidth));
  }
  while (out.length < height) out.push(fitLine([], width));
  return out.slice(0, height);
}
