/**
 * Why each session of a server that is no longer running left: closed on
 * purpose, renamed, the server ended normally, the server crashed — or
 * forgotten by the person. One small JSON file per server dir
 * (`departures.json`, 0600, written atomically), written by the watch
 * daemon from tmux's notifications and by tsession when it acts itself.
 * Only a crash (or no record at all) makes a saved session "crashed".
 * Non-goals: noticing departures (src/daemon), deciding health.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { LAYOUT } from './paths.js';
import { err, ok, type Result } from './result.js';

/** Why a session left, as recorded. */
export const DEPARTURE_KINDS = ['closed', 'renamed', 'server-ended', 'crashed', 'forgotten'] as const;
/** One of DEPARTURE_KINDS. */
export type DepartureKind = (typeof DEPARTURE_KINDS)[number];

/** One session's departure. */
export interface Departure {
  readonly why: DepartureKind;
  /** ISO time it was noticed. */
  readonly at: string;
  /** The new name, for `renamed`. */
  readonly to?: string;
}

/** Bounds of the record. */
export const DEPARTURE_LIMITS = {
  /** Names kept (newest first): the file never grows without bound. */
  maxEntries: 500,
  /** The file is refused beyond this size (it is rewritten, never appended to). */
  maxBytes: 1_000_000,
  /**
   * A checkpoint must be this much newer than a departure to overrule it: a
   * save captured just before the session left can be written just after
   * (its time is the write's), and must not revive the session as "crashed".
   */
  overruleAfterMs: 10_000,
} as const;

const FILE_VERSION = 1;

/** The departures file of a server dir. */
export const departuresFile = (serverDir: string): string => join(serverDir, LAYOUT.departures);

/** Shape check of one entry (hand-written: the daemon's save path loads no schema library). */
function isDeparture(v: unknown): v is Departure {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  return (
    (DEPARTURE_KINDS as readonly unknown[]).includes(d.why) &&
    typeof d.at === 'string' &&
    !Number.isNaN(Date.parse(d.at)) &&
    (d.to === undefined || typeof d.to === 'string')
  );
}

/**
 * Read a server's departures. No file: none. A damaged file is an error
 * value (kind 'corrupt'); callers treat it as "nothing known", which shows
 * sessions as crashed — the safe side.
 */
export async function readDepartures(serverDir: string): Promise<Result<Map<string, Departure>>> {
  const file = departuresFile(serverDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    if (code === 'ENOENT') return ok(new Map());
    return err({ kind: 'io', file, reason: code, message: `Cannot read ${file} (${code})`, code });
  }
  const corrupt = (reason: string) => err({ kind: 'corrupt' as const, file, reason, message: `Departures file ${file} is corrupt (${reason}); sessions that left show as crashed` });
  if (text.length > DEPARTURE_LIMITS.maxBytes) return corrupt(`larger than ${DEPARTURE_LIMITS.maxBytes} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return corrupt(`invalid JSON: ${(e as Error).message}`);
  }
  const r = raw as { version?: unknown; sessions?: unknown };
  if (typeof raw !== 'object' || raw === null || r.version !== FILE_VERSION || typeof r.sessions !== 'object' || r.sessions === null) {
    return corrupt(`expected {version: ${FILE_VERSION}, sessions: {…}}`);
  }
  const out = new Map<string, Departure>();
  for (const [name, d] of Object.entries(r.sessions as Record<string, unknown>)) {
    if (isDeparture(d)) out.set(name, { why: d.why, at: d.at, ...(d.to !== undefined ? { to: d.to } : {}) });
  }
  return ok(out);
}

/**
 * Apply `changes` (name → departure, or null: the session runs again, its
 * record goes) to the file: read, change, write atomically. Two writers at
 * once: the last rename wins (a lost record shows a session as crashed,
 * the safe side). A damaged file is replaced.
 */
export async function recordDepartures(serverDir: string, changes: ReadonlyMap<string, Departure | null>, hintDir?: string): Promise<Result<void>> {
  if (changes.size === 0) return ok(undefined);
  const current = await readDepartures(serverDir);
  if (!current.ok && current.error.kind === 'io') return current;
  const map = current.ok ? current.value : new Map<string, Departure>();
  let changed = false;
  for (const [name, d] of changes) {
    if (d === null) changed = map.delete(name) || changed;
    else {
      map.set(name, d);
      changed = true;
    }
  }
  if (!changed) return ok(undefined);
  const kept = [...map].sort((a, b) => Date.parse(b[1].at) - Date.parse(a[1].at)).slice(0, DEPARTURE_LIMITS.maxEntries);
  const file = departuresFile(serverDir);
  try {
    await writeFileAtomic(file, `${JSON.stringify({ version: FILE_VERSION, sessions: Object.fromEntries(kept) })}\n`, hintDir ? { hintDir } : {});
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    return err({ kind: 'io', file, reason: code, message: (e as Error).message, code });
  }
  return ok(undefined);
}

/**
 * The departures that still stand. Pure. A departure stands only while no
 * checkpoint newer than it holds the session: a session saved again after
 * it left came back, and its old departure says nothing about its end.
 */
export function standingDepartures(departures: ReadonlyMap<string, Departure>, newestSavedAt: (name: string) => string | null): Map<string, Departure> {
  const out = new Map<string, Departure>();
  for (const [name, d] of departures) {
    const saved = newestSavedAt(name);
    if (saved !== null && Date.parse(saved) - Date.parse(d.at) > DEPARTURE_LIMITS.overruleAfterMs) continue;
    out.set(name, d);
  }
  return out;
}

/** True when the session left on purpose (not a crash): it is "closed", not "crashed". */
export const leftOnPurpose = (d: Departure | null | undefined): d is Departure => d !== null && d !== undefined && d.why !== 'crashed';

/** How a departure reads, the same words in `list` and the interface: "closed (renamed to \"db2\")". */
export function departureWords(d: Departure): string {
  switch (d.why) {
    case 'closed':
      return 'closed on purpose (the session was ended)';
    case 'renamed':
      return `renamed to ${JSON.stringify(d.to ?? '?')}`;
    case 'server-ended':
      return 'the tmux server was ended normally';
    case 'crashed':
      return 'the tmux server crashed';
    case 'forgotten':
      return 'forgotten';
  }
}
