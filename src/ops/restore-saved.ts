/**
 * A bare `tsession restore`: every saved session that is not running comes
 * back, each from the newest valid checkpoint holding it — sessions saved
 * together come back together, in one restore per checkpoint (journaled
 * there, in restore.ts). Sessions that left on purpose (closed, renamed,
 * the server ended) or were forgotten stay down. What is skipped is said,
 * with why. Non-goals:
 * choosing one checkpoint for everything (`--from`), printing.
 */
import { departureWords, leftOnPurpose, standingDepartures } from '../../checkpoints/departures.js';
import type { CheckpointEntry } from '../../checkpoints/store.js';
import { readLayoutOnceExited } from '../../sessions/tmux/layout-read.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { UserError } from '../user-error.js';
import { checkpointFailure, newestPerSession } from './checkpoints.js';
import { loadDepartures } from './departures.js';
import { restore, type Journaling, type RestoreOutcome, type RestoreRequest } from './restore.js';
import { tsessionCommand } from './command-words.js';

/** One checkpoint to restore from, and the sessions it brings back. */
export interface SavedRestoreGroup {
  readonly checkpointId: string;
  readonly sessions: readonly string[];
}

/** What a bare restore will do: restores by checkpoint (newest first), and the saved sessions it leaves alone. */
export interface SavedRestorePlan {
  readonly groups: readonly SavedRestoreGroup[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/**
 * Plan a bare restore. Pure. `entries` newest first (the store's list);
 * `leave` names saved sessions not to bring back, with the reason to show
 * (a session closed on purpose), or null to leave one unmentioned (a
 * forgotten one); `replace` takes running ones too.
 */
export function planSavedRestore(
  entries: readonly CheckpointEntry[],
  running: ReadonlySet<string>,
  replace: boolean,
  leave: ReadonlyMap<string, string | null> = new Map(),
): SavedRestorePlan {
  const groups = new Map<string, string[]>();
  const skipped: { name: string; reason: string }[] = [];
  for (const [name, e] of newestPerSession(entries)) {
    if (running.has(name) && !replace) skipped.push({ name, reason: 'already running' });
    else if (leave.has(name)) {
      const reason = leave.get(name);
      if (reason) skipped.push({ name, reason });
    }
    else groups.set(e.id, [...(groups.get(e.id) ?? []), name]);
  }
  // Map order is the first session's newest checkpoint, newest first.
  return { groups: [...groups].map(([checkpointId, sessions]) => ({ checkpointId, sessions })), skipped };
}

/** One restore of a bare restore: the checkpoint and its outcome. */
export interface SavedRestorePart extends RestoreOutcome {
  readonly checkpointId: string;
}

/** A finished bare restore. */
export interface SavedRestore {
  readonly parts: readonly SavedRestorePart[];
  /** Saved sessions left alone, with why (running, closed on purpose). */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
  /** Checkpoints that were listed as valid but did not read: their sessions came from older ones. */
  readonly warnings: readonly string[];
}

/** Bounds of a bare restore. */
const SAVED_RESTORE = {
  /** Re-plans after a chosen checkpoint fails to read (each drops one checkpoint). */
  maxReplans: 50,
} as const;

/**
 * Restore every saved session that is not running (all of them with
 * `replace`), each from the newest valid checkpoint holding it. No
 * checkpoint at all is a UserError (EXIT.noCheckpoint).
 */
export async function restoreSaved(
  ctx: Context,
  request: Pick<RestoreRequest, 'replace' | 'noCommands' | 'dryRun' | 'onProgress' | 'typist'> & {
    /** Sessions closed on purpose come back too (`restore --all`); forgotten ones never do. */
    readonly closedToo?: boolean;
  },
  how: Journaling,
  leave: ReadonlyMap<string, string | null> = new Map(),
): Promise<SavedRestore> {
  const store = await ctx.store();
  const [listed, loaded] = await Promise.all([store.list(), loadDepartures(ctx)]);
  if (!listed.ok) throw checkpointFailure(listed.error);
  if (loaded.problem) ctx.warn(loaded.problem);
  const leaving = new Map(leave);
  const newest = newestPerSession(listed.value);
  for (const [name, d] of standingDepartures(loaded.departures, (n) => newest.get(n)?.createdAt ?? null)) {
    // Left on purpose: a bare restore does not undo what the person did; naming it does.
    if (leaving.has(name)) continue;
    if (d.why === 'forgotten') leaving.set(name, null);
    else if (leftOnPurpose(d)) {
      // --all brings back what was closed, not the old name of a session that runs under a new one.
      const renamed = d.why === 'renamed';
      if (request.closedToo && !renamed) continue;
      leaving.set(name, `${departureWords(d)}; \`${tsessionCommand(ctx, 'restore', name)}\`${renamed ? '' : ' (or --all)'} brings it back`);
    }
  }
  // Right after a kill-server the old server may still be on its way out.
  const live = await readLayoutOnceExited(ctx.server, { env: ctx.env });
  const running = new Set(live.sessions.map((s) => s.name));
  const warnings: string[] = [];
  const unreadable = new Set<string>();
  // The index is a cache: each chosen checkpoint is read in full, and one
  // that fails is dropped and the plan made again from the others.
  for (let round = 0; round <= SAVED_RESTORE.maxReplans; round++) {
    const entries = listed.value.filter((e) => !unreadable.has(e.id));
    const plan = planSavedRestore(entries, running, request.replace, leaving);
    if (plan.groups.length === 0 && plan.skipped.length === 0) {
      const why = warnings.length ? ' (every checkpoint is unreadable)' : '';
      throw new UserError(`No checkpoint for tmux server ${ctx.server.label} in ${ctx.storeDir}${why}; run \`${tsessionCommand(ctx, 'save')}\` first`, EXIT.noCheckpoint);
    }
    const bodies = [];
    for (const g of plan.groups) {
      const r = await store.read(g.checkpointId);
      if (r.ok) bodies.push({ group: g, body: r.value.body });
      else {
        unreadable.add(g.checkpointId);
        warnings.push(`${r.error.message}; its sessions come from older checkpoints`);
      }
    }
    if (bodies.length < plan.groups.length) continue;
    // Loudly, as a restore from one checkpoint does: an unreadable checkpoint
    // newer than one restored from may have held a newer state of its sessions.
    const oldest = Math.min(...plan.groups.map((g) => Date.parse(entries.find((e) => e.id === g.checkpointId)!.createdAt)));
    for (const e of entries) {
      if (!e.valid && Date.parse(e.createdAt) > oldest && !unreadable.has(e.id)) warnings.push(`Checkpoint ${e.path} is corrupt (${e.error ?? 'invalid'}); using older checkpoints`);
    }
    const parts: SavedRestorePart[] = [];
    for (const { group, body } of bodies) {
      const outcome = await restore(
        ctx,
        {
          checkpoint: body,
          sessions: group.sessions,
          replace: request.replace,
          noCommands: request.noCommands,
          dryRun: request.dryRun,
          ...(request.onProgress ? { onProgress: request.onProgress } : {}),
          ...(request.typist ? { typist: request.typist } : {}),
        },
        how,
        warnings,
      );
      parts.push({ ...outcome, checkpointId: group.checkpointId });
    }
    return { parts, skipped: plan.skipped, warnings };
  }
  throw new UserError(`No readable checkpoint for tmux server ${ctx.server.label} in ${ctx.storeDir} after ${SAVED_RESTORE.maxReplans} tries`, EXIT.noCheckpoint);
}
