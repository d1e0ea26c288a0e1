/**
 * A session's history in words a person chooses by: for each checkpoint,
 * why it was taken (by hand, interval, after a change, after a restore,
 * watch started or stopping — read from the journal), what changed since
 * the one before (`+window logs`, `vim → shell`, `cwd ~/a → ~/b`), its
 * programs and pane count, and whether it looks wrong (fewer panes than its
 * neighbours, programs lost). The same change summary says how a live
 * session differs from its newest checkpoint. Pure: callers read the
 * checkpoints and the journal. Non-goals: reading files, printing.
 */
import type { PaneRecord, SessionRecord } from '../../checkpoints/schema.js';
import { compareSessions } from '../../sessions/live/compare.js';
import type { JournalEntry } from './journal.js';

/** Why a checkpoint was taken. */
export const SAVE_CAUSES = ['by-hand', 'interval', 'change', 'after-restore', 'watch-started', 'watch-stopping', 'unknown'] as const;
/** One of SAVE_CAUSES. */
export type SaveCause = (typeof SAVE_CAUSES)[number];

/** Each cause in words. */
export const CAUSE_WORDS: Record<SaveCause, string> = {
  'by-hand': 'by hand',
  interval: 'interval',
  change: 'after a change',
  'after-restore': 'after a restore',
  'watch-started': 'watch started',
  'watch-stopping': 'watch stopping',
  unknown: 'not journaled',
};

/** A save that follows a restore this closely records what the restore made. */
export const AFTER_RESTORE_MS = 30_000;

/**
 * The cause of each checkpoint the journal knows, by checkpoint id: the
 * watch daemon journals every save it writes (`detail` starts with the id;
 * `cause` lists the notifications, `interval`, `watch attached`, `watch
 * stopping`). A save right after a restore is "after a restore". A
 * checkpoint the journal does not name was saved by hand (`tsession save`,
 * the interface's `s`) — unless the journal may have lost lines
 * (`complete` false: it has been rotated) and the checkpoint is older than
 * its first line; then its cause is simply not known.
 */
export function savesByCause(journal: readonly JournalEntry[], complete = true): { causes: ReadonlyMap<string, SaveCause>; since: string | null } {
  const causes = new Map<string, SaveCause>();
  let lastRestore = -Infinity;
  for (const e of journal) {
    const at = Date.parse(e.at);
    if (e.what === 'restore' && e.result === 'ok') lastRestore = at;
    if (e.what !== 'save' || e.result !== 'ok' || !e.detail) continue;
    const id = e.detail.split(' ')[0]!;
    causes.set(id, at - lastRestore <= AFTER_RESTORE_MS ? 'after-restore' : daemonCause(e.cause ?? ''));
  }
  return { causes, since: complete ? null : (journal[0]?.at ?? null) };
}

/** The daemon's cause string (comma-separated causes of one save) as a cause. */
export function daemonCause(cause: string): SaveCause {
  const parts = cause.split(',').map((c) => c.trim()).filter(Boolean);
  if (parts.includes('watch stopping')) return 'watch-stopping';
  if (parts.includes('watch attached')) return 'watch-started';
  if (parts.length > 0 && parts.every((p) => p === 'interval')) return 'interval';
  return parts.length ? 'change' : 'unknown';
}

/** The cause of one checkpoint, given what the journal says. */
export function causeOf(id: string, createdAt: string, known: ReturnType<typeof savesByCause>): SaveCause {
  const c = known.causes.get(id);
  if (c) return c;
  if (known.since !== null && Date.parse(createdAt) < Date.parse(known.since)) return 'unknown';
  return 'by-hand';
}

/** One change between two states of a session, worded; `loss` marks what a person would not want to lose. */
export interface Change {
  readonly kind: 'window-added' | 'window-removed' | 'window-renamed' | 'panes' | 'program' | 'cwd';
  readonly text: string;
  readonly loss: boolean;
}

/** `~/a` for a path under `home`. */
export function shortPath(path: string, home: string | null): string {
  if (home && home !== '/' && (path === home || path.startsWith(`${home}/`))) return `~${path.slice(home.length)}`;
  return path;
}

/** A pane's foreground program in a word: its argv, or `shell`. */
export function programOf(p: PaneRecord): string {
  if (p.foreground.kind === 'shell') return 'shell';
  return p.foreground.argv ? p.foreground.argv.join(' ') : p.foreground.command;
}

const fromCompared = (t: string) => (t === '(shell)' ? 'shell' : t);

/**
 * What changed from `before` to `after` (two checkpoints of a session, or its
 * newest checkpoint and the live session), in the diff's terms: windows
 * added, removed or renamed, pane counts, programs, cwds. Layouts and flags
 * are left out: a person does not choose by them.
 */
export function changesBetween(before: SessionRecord, after: SessionRecord, home: string | null = null, what: { readonly cwds?: boolean; readonly commands?: boolean } = {}): Change[] {
  const out: Change[] = [];
  for (const d of compareSessions(before, after, { layouts: false, flags: false, autoNames: false, cwds: what.cwds ?? true, commands: what.commands ?? true })) {
    const where = d.where.slice(d.where.lastIndexOf(':') + 1);
    switch (d.kind) {
      case 'window-extra':
        out.push({ kind: 'window-added', text: `+window ${d.live}`, loss: false });
        break;
      case 'window-missing':
        out.push({ kind: 'window-removed', text: `-window ${d.saved}`, loss: true });
        break;
      case 'window-name':
        out.push({ kind: 'window-renamed', text: `window ${d.saved} → ${d.live}`, loss: false });
        break;
      case 'pane-count':
        out.push({ kind: 'panes', text: `window ${where}: ${d.saved} → ${d.live} panes`, loss: Number(d.live) < Number(d.saved) });
        break;
      case 'command': {
        const was = fromCompared(d.saved);
        const now = fromCompared(d.live);
        out.push({ kind: 'program', text: `${was} → ${now}`, loss: was !== 'shell' && now === 'shell' });
        break;
      }
      case 'cwd':
        out.push({ kind: 'cwd', text: `cwd ${shortPath(d.saved, home)} → ${shortPath(d.live, home)}`, loss: false });
        break;
      default:
        break;
    }
  }
  return out;
}

/** Changes as one line, at most `max` of them and "+N more". */
export function changeSummary(changes: readonly Change[], max = 4): string {
  if (changes.length === 0) return 'no change';
  const shown = changes.slice(0, max).map((c) => c.text);
  if (changes.length > max) shown.push(`+${changes.length - max} more`);
  return shown.join(', ');
}

const panesOf = (s: SessionRecord) => s.windows.reduce((n, w) => n + w.panes.length, 0);

/** The programs a session runs (other than shells), in pane order, each once. */
export function programsIn(s: SessionRecord): string[] {
  const seen = new Set<string>();
  for (const w of s.windows) for (const p of w.panes) if (p.foreground.kind === 'job') seen.add(p.foreground.command);
  return [...seen];
}

/** A checkpoint of a session as the timeline shows it. */
export interface TimelineEntry {
  readonly id: string;
  readonly createdAt: string;
  readonly cause: SaveCause;
  /** null when its body could not be read (invalid checkpoint). */
  readonly windows: number | null;
  readonly panes: number | null;
  readonly programs: readonly string[];
  /** Changes since the next older readable checkpoint; null for the oldest. */
  readonly changes: readonly Change[] | null;
  /** Why it looks wrong, or null. */
  readonly suspect: string | null;
}

/** One checkpoint of the session: its id, time, cause, and the session's record in it (null: unreadable). */
export interface TimelineInput {
  readonly id: string;
  readonly createdAt: string;
  readonly cause: SaveCause;
  readonly record: SessionRecord | null;
}

/**
 * The timeline, newest first (as given). A checkpoint looks wrong when it
 * has fewer panes than both neighbours (or than the one before, for the
 * newest), or when programs that ran before it run neither in it nor are
 * closed for good (the next one has them again).
 */
export function buildTimeline(inputs: readonly TimelineInput[], home: string | null = null): TimelineEntry[] {
  const readable = (from: number, step: 1 | -1): SessionRecord | null => {
    for (let i = from; i >= 0 && i < inputs.length; i += step) if (inputs[i]!.record) return inputs[i]!.record;
    return null;
  };
  return inputs.map((c, i) => {
    const rec = c.record;
    if (!rec) return { id: c.id, createdAt: c.createdAt, cause: c.cause, windows: null, panes: null, programs: [], changes: null, suspect: null };
    const older = readable(i + 1, 1);
    const newer = readable(i - 1, -1);
    const panes = panesOf(rec);
    const programs = programsIn(rec);
    let suspect: string | null = null;
    if (older) {
      const lost = programsIn(older).filter((p) => !programs.includes(p));
      const fewer = panes < panesOf(older) && (!newer || panes < panesOf(newer));
      if (fewer) suspect = `fewer panes (${panes}) than the checkpoint${newer ? 's' : ''} around it`;
      else if (lost.length && (!newer || lost.some((p) => programsIn(newer).includes(p)))) suspect = `programs lost: ${lost.join(', ')}`;
    }
    return {
      id: c.id,
      createdAt: c.createdAt,
      cause: c.cause,
      windows: rec.windows.length,
      panes,
      programs,
      changes: older ? changesBetween(older, rec, home) : null,
      suspect,
    };
  });
}
