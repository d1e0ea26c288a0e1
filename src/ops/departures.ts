/**
 * Sessions only checkpoints remember, with why each left (the departures
 * record, checkpoints/departures.ts), for `list`, the interface, unfreeze
 * and a bare restore alike; and "forget this session". Non-goals: noticing
 * departures (the watch daemon does), printing.
 */
import { readDepartures, recordDepartures, standingDepartures, type Departure } from '../../checkpoints/departures.js';
import type { CheckpointBody } from '../../checkpoints/schema.js';
import type { CheckpointEntry } from '../../checkpoints/store.js';
import { count } from '../../checkpoints/words.js';
import { readLayoutOrEmpty } from '../../sessions/tmux/layout-read.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { UserError } from '../user-error.js';
import { checkpointFailure, newestPerSession } from './checkpoints.js';
import { journalIn } from './journal.js';
import { tsessionCommand } from './command-words.js';

/** A session a checkpoint remembers: its newest valid checkpoint, and why it left when that is known. */
export interface Remembered {
  readonly entry: CheckpointEntry;
  /** Left on purpose or crashed, as recorded after its newest checkpoint; null: not recorded (a crash, as far as anyone knows). */
  readonly departed: Departure | null;
}

/**
 * Every session name the checkpoints remember (newest checkpoint first),
 * with its standing departure; forgotten ones are left out. Pure.
 */
export function rememberedSessions(entries: readonly CheckpointEntry[], departures: ReadonlyMap<string, Departure>): Map<string, Remembered> {
  const newest = newestPerSession(entries);
  const standing = standingDepartures(departures, (name) => newest.get(name)?.createdAt ?? null);
  const out = new Map<string, Remembered>();
  for (const [name, entry] of newest) {
    const d = standing.get(name) ?? null;
    if (d?.why === 'forgotten') continue;
    out.set(name, { entry, departed: d });
  }
  return out;
}

/** The server's departures; a record that cannot be read counts as empty (sessions show as crashed: the safe side), with a warning. */
export async function loadDepartures(ctx: Context): Promise<{ departures: Map<string, Departure>; problem: string | null }> {
  const r = await readDepartures(ctx.storeDir);
  return r.ok ? { departures: r.value, problem: null } : { departures: new Map(), problem: r.error.message };
}

/**
 * The body without the sessions that left on purpose after it was written
 * (closed, the server ended, forgotten): what restoring "everything" must
 * not bring back. A renamed one stays unless the body holds its new name
 * too: otherwise it is the only copy of that session's layout. Pure.
 */
export function withoutClosed(body: CheckpointBody, departures: ReadonlyMap<string, Departure>): { body: CheckpointBody; left: string[] } {
  const names = new Set(body.sessions.map((s) => s.name));
  const standing = standingDepartures(departures, (name) => (names.has(name) ? body.createdAt : null));
  const leaves = (name: string): boolean => {
    const d = standing.get(name);
    if (!d || d.why === 'crashed') return false;
    return d.why !== 'renamed' || (d.to !== undefined && names.has(d.to));
  };
  const left = body.sessions.filter((s) => leaves(s.name)).map((s) => s.name);
  return left.length ? { body: { ...body, sessions: body.sessions.filter((s) => !left.includes(s.name)) }, left } : { body, left };
}

/** Note that these sessions run again (a restore brought them back): their departures no longer say anything. */
export async function sessionsBack(ctx: Context, names: readonly string[]): Promise<string | null> {
  const r = await recordDepartures(ctx.storeDir, new Map(names.map((n) => [n, null])), ctx.paths.stateDir);
  return r.ok ? null : r.error.message;
}

/** What forgetting did. */
export interface Forgotten {
  readonly name: string;
  /** Checkpoints deleted because they held this session alone. */
  readonly removed: readonly string[];
  /** Checkpoints kept because other sessions are in them too (the session stays hidden). */
  readonly kept: number;
}

/**
 * Forget a saved session that is not running: it leaves `list`, the
 * interface and a bare restore. Checkpoints holding it alone are deleted;
 * those other sessions need are kept. Journaled. A running session, or a
 * name no checkpoint holds, is a UserError.
 */
export async function forgetSession(ctx: Context, name: string): Promise<Forgotten> {
  const live = await readLayoutOrEmpty(ctx.server, { env: ctx.env });
  if (live.sessions.some((s) => s.name === name)) {
    throw new UserError(`Session ${JSON.stringify(name)} is running on tmux server ${ctx.server.label}; only a session that is not running can be forgotten`, EXIT.conflict);
  }
  const store = await ctx.store();
  const listed = await store.list();
  if (!listed.ok) throw checkpointFailure(listed.error);
  const holding = listed.value.filter((e) => e.sessions.includes(name));
  if (holding.length === 0) throw new UserError(`Unknown session ${JSON.stringify(name)}: in none of the checkpoints of tmux server ${ctx.server.label}; see ${tsessionCommand(ctx, 'list')}`, EXIT.usage);
  // The record first: if a deletion fails half way, the session is hidden all the same.
  const recorded = await recordDepartures(ctx.storeDir, new Map([[name, { why: 'forgotten', at: new Date().toISOString() }]]), ctx.paths.stateDir);
  if (!recorded.ok) throw new UserError(recorded.error.message, EXIT.state);
  const removed: string[] = [];
  for (const e of holding) {
    if (e.sessions.length !== 1) continue;
    const r = await store.remove(e.id);
    if (r.ok) removed.push(e.id);
    else if (r.error.kind !== 'not-found') throw checkpointFailure(r.error);
  }
  const kept = holding.length - removed.length;
  const problem = await journalIn(ctx.storeDir)([
    { kind: 'action', what: 'forget', cause: 'tsession forget (by hand)', result: 'ok', detail: name, evidence: [`deleted ${count(removed.length, 'checkpoint')} holding only it`, `kept ${kept} that other sessions need`], durationMs: 0 },
  ]);
  if (problem) ctx.warn(problem);
  return { name, removed, kept };
}
