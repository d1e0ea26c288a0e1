/**
 * The checkpoints of one server as the use cases see them: choosing the one
 * to work from, listing (and verifying) them, reading their blobs, and
 * turning the store's failures into UserErrors with their exit codes.
 * Light on purpose: `tsession save` loads it.
 */
import type { CheckpointError } from '../../checkpoints/result.js';
import type { CheckpointBody, ContentsBlob } from '../../checkpoints/schema.js';
import type { CheckpointEntry, CheckpointStore, StoredCheckpoint } from '../../checkpoints/store.js';
import type { Context } from '../context.js';
import type { SaveCause } from './timeline.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { UserError } from '../user-error.js';
import { tsessionCommand } from './command-words.js';

/** Exit code of each kind of checkpoint failure. */
export const CHECKPOINT_EXIT: Readonly<Record<CheckpointError['kind'], ExitCode>> = {
  'not-found': EXIT.noCheckpoint,
  corrupt: EXIT.noCheckpoint,
  'future-version': EXIT.noCheckpoint,
  io: EXIT.state,
  'bad-id': EXIT.usage,
};

/** A UserError for a checkpoint-layer failure. */
export function checkpointFailure(e: CheckpointError): UserError {
  return new UserError(e.message, CHECKPOINT_EXIT[e.kind]);
}

/** A checkpoint to work from, and whether a newer one was unreadable. */
export interface PickedCheckpoint {
  readonly checkpoint: StoredCheckpoint;
  /** A newer checkpoint was corrupt: this is an older one (exit code EXIT.usedFallback). */
  readonly fellBack: boolean;
}

/** The checkpoint to work from: `from` (an id), else the newest good one passing `filter`. Warnings go to ctx.warn. */
export async function pickCheckpoint(
  ctx: Context,
  from: string | undefined,
  filter?: (b: CheckpointBody) => boolean,
  /** What the filter asks for, e.g. `holding session "api"`: an unmet ask is a usage error. */
  asked?: string,
): Promise<PickedCheckpoint> {
  const store = await ctx.store();
  if (from) {
    const r = await store.read(await resolveCheckpointId(ctx, from));
    if (!r.ok) throw checkpointFailure(r.error);
    return { checkpoint: r.value, fellBack: false };
  }
  const r = await store.newestGood(filter);
  if (!r.ok) throw checkpointFailure(r.error);
  for (const w of r.value.warnings) ctx.warn(w);
  if (!r.value.checkpoint) {
    const why = r.value.warnings.length ? ' (every checkpoint is unreadable)' : '';
    if (asked && !r.value.warnings.length) {
      throw new UserError(`No checkpoint of tmux server ${ctx.server.label} ${asked}; see ${tsessionCommand(ctx, 'checkpoints')}`, EXIT.usage);
    }
    throw new UserError(
      `No checkpoint for tmux server ${ctx.server.label} in ${ctx.storeDir}${why}; run \`${tsessionCommand(ctx, 'save')}\` first`,
      EXIT.noCheckpoint,
    );
  }
  return { checkpoint: r.value.checkpoint, fellBack: r.value.warnings.length > 0 };
}

/** How long a check that a named session runs waits for tmux. */
const KNOWN_SESSION_TIMEOUT_MS = 2_000;

/** How many candidates an ambiguous id prefix names in its error line. */
const SHOWN_CANDIDATES = 5;

/**
 * The checkpoint id `given` names: itself when a checkpoint has that id,
 * else the one id it is a prefix of, like git's abbreviated ids. A prefix
 * of several ids is a usage error naming them (newest first); one of none
 * is left to the store, which says it is not found.
 */
export async function resolveCheckpointId(ctx: Context, given: string): Promise<string> {
  const listed = await (await ctx.store()).list();
  if (!listed.ok) return given;
  const ids = listed.value.map((e) => e.id);
  if (ids.includes(given) || given === '') return given;
  const matches = ids.filter((id) => id.startsWith(given));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    const shown = matches.slice(0, SHOWN_CANDIDATES).join(', ');
    const more = matches.length > SHOWN_CANDIDATES ? ` and ${matches.length - SHOWN_CANDIDATES} more` : '';
    throw new UserError(`Checkpoint id ${JSON.stringify(given)} is ambiguous: ${matches.length} checkpoints start with it (${shown}${more}); give more of the id`, EXIT.usage);
  }
  return given;
}

/**
 * A session the user named is known: running, or held by a checkpoint of
 * this server. An unknown one is a usage error (exit 2), so a typo reads as
 * a typo and not as "no checkpoint".
 */
export async function assertKnownSession(ctx: Context, name: string, saved: readonly CheckpointEntry[]): Promise<void> {
  if (saved.some((e) => e.sessions.includes(name))) return;
  const { readLayoutOrEmpty } = await import('../../sessions/tmux/layout-read.js');
  // Listing checkpoints must not hang on a stopped server: a short ask, and a server that cannot answer is said.
  let unasked = '';
  try {
    const live = await readLayoutOrEmpty(ctx.server, { env: ctx.env, timeoutMs: KNOWN_SESSION_TIMEOUT_MS });
    if (live.sessions.some((s) => s.name === name)) return;
  } catch (e) {
    unasked = ` (the server could not be asked: ${e instanceof Error ? e.message : String(e)})`;
  }
  throw new UserError(`Unknown session ${JSON.stringify(name)}: not running on tmux server ${ctx.server.label} and in none of its checkpoints${unasked}; see ${tsessionCommand(ctx, 'list')}`, EXIT.usage);
}

/** Pane contents a restore could not bring back: the blob, and why (missing, or corrupt and how). */
export interface LostContents {
  readonly blob: string;
  readonly reason: string;
}

/**
 * A restore's blob reader: a missing or damaged blob restores the pane
 * without contents, and is added to `lost` (once per blob) so the caller
 * can say so and exit accordingly.
 */
export const blobReader =
  (store: CheckpointStore, lost?: LostContents[]) =>
  async (sha256: string): Promise<ContentsBlob | null> => {
    const r = await store.getBlob(sha256);
    if (r.ok) return r.value;
    if (lost && !lost.some((l) => l.blob === sha256)) lost.push({ blob: sha256, reason: r.error.kind === 'not-found' ? 'missing' : `${r.error.kind}: ${r.error.reason}` });
    return null;
  };

/** The server's checkpoints, newest first (those holding `session`, when given); `verify` reads every file and blob again. */
export async function listCheckpoints(ctx: Context, session: string | undefined, verify: boolean): Promise<CheckpointEntry[]> {
  const store = await ctx.store();
  const listed = await store.list();
  if (!listed.ok) throw checkpointFailure(listed.error);
  if (session !== undefined) await assertKnownSession(ctx, session, listed.value);
  const entries = listed.value.filter((e) => !session || e.sessions.includes(session));
  if (!verify) return entries;
  // The index is a cache: verifying reads every file again, fully, with every blob it references.
  return Promise.all(
    entries.map(async (e) => {
      const r = await store.verify(e.id);
      return r.ok ? { ...e, valid: true, error: null } : { ...e, valid: false, error: r.error.reason };
    }),
  );
}

/**
 * Why each of `checkpoints` was taken, from this server's journal, by the
 * timeline's rules (src/ops/timeline.ts `causeOf`): a journal that cannot
 * be read knows no cause.
 */
export async function causesOf(ctx: Context, checkpoints: readonly Pick<CheckpointEntry, 'id' | 'createdAt'>[]): Promise<Map<string, SaveCause>> {
  // Loaded here, not above: `tsession save` loads this module and needs neither.
  const [{ readJournal }, { causeOf, savesByCause, UNREAD_JOURNAL }] = await Promise.all([import('./journal.js'), import('./timeline.js')]);
  const journal = await readJournal(ctx.storeDir).catch(() => null);
  const known = journal ? savesByCause(journal.entries, journal.complete) : UNREAD_JOURNAL;
  return new Map(checkpoints.map((c) => [c.id, causeOf(c.id, c.createdAt, known)]));
}

/** The newest valid, meaningful checkpoint of each session name, from the index (newest first). */
export function newestPerSession(entries: readonly CheckpointEntry[]): Map<string, CheckpointEntry> {
  const out = new Map<string, CheckpointEntry>();
  for (const e of entries) {
    if (!e.valid || !e.meaningful) continue;
    for (const n of e.sessions) if (!out.has(n)) out.set(n, e);
  }
  return out;
}
