/**
 * Restore: rebuild sessions from a checkpoint as one transaction
 * (sessions/restore/transaction.ts) and journal it — once, here, for every
 * caller: `tsession restore`, the interface, unfreeze's last rung and the
 * watch daemon's automatic restore. Non-goals: choosing the checkpoint from
 * argv, printing progress (callers get onProgress).
 */
import { errorMessage } from '../../checkpoints/result.js';
import type { RerunRule } from '../../sessions/restore/rerun-policy.js';
import type { RestoreFinish } from '../../sessions/restore/finish.js';
import { restoreSessions, type RestoreOptions, type RestoreResult } from '../../sessions/restore/transaction.js';
import type { Context } from '../context.js';
import { toUserError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { UserError } from '../user-error.js';
import { blobReader, checkpointFailure, type LostContents } from './checkpoints.js';
import { configFor } from './config.js';
import { restoreEntry, type JournalSink } from './journal.js';
import { loadDepartures, sessionsBack, withoutClosed } from './departures.js';
import { handOffTyping, type HandoffOutcome, type TypingHandoff } from './restore-handoff.js';

/**
 * A restore someone asked for: what the transaction takes, less what the
 * context supplies (server, env, blobs, the config's allowlist).
 */
export type RestoreRequest = Pick<RestoreOptions, 'checkpoint' | 'sessions' | 'as' | 'replace' | 'noCommands' | 'dryRun' | 'onProgress'> & {
  /** Programs approved to re-run for this restore only, on top of the config's allowlist. */
  readonly approved?: readonly RerunRule[];
  /**
   * How to start a typist (argv): given, the restore returns once its
   * sessions are in place and the typist types the saved commands as their
   * shells reach their prompts (restore-handoff.ts); absent, the restore
   * waits for them.
   */
  readonly typist?: readonly string[];
};

/** Who asked and where the journal line goes. */
export interface Journaling {
  /** The journal's cause: 'tsession restore (by hand)', 'server crashed (…)', … */
  readonly cause: string;
  readonly journal: JournalSink;
}

/** A finished restore, and why its journal line could not be written (null: written, or a dry run). */
export interface RestoreOutcome {
  readonly result: RestoreResult;
  readonly journalProblem: string | null;
  /** Saved pane contents that could not be read (the panes came back without them): a partial restore. */
  readonly lostContents: readonly LostContents[];
  /** Where the typing went when the request named a typist and there was something to type; else null. */
  readonly handoff: HandoffOutcome | null;
}

/** One line for a failure, as the CLI would print it. */
const failureLine = (e: unknown): string => toUserError(e)?.message ?? errorMessage(e);

/**
 * Run the restore and journal what came back (or, when it throws, that it
 * failed and why; then rethrow). `warnings` (newer checkpoints skipped as
 * unreadable) go into the journal line's evidence.
 */
export async function restore(ctx: Context, request: RestoreRequest, how: Journaling, warnings: readonly string[] = []): Promise<RestoreOutcome> {
  const t0 = performance.now();
  const body = request.checkpoint;
  // The journal line's evidence: the caller's warnings and the config's.
  let evidence = warnings;
  let result: RestoreResult;
  const lostContents: LostContents[] = [];
  try {
    // Only the allowlist matters here: a bad unrelated key must not stop a restore right after a crash.
    const [{ config, warning }, store] = await Promise.all([configFor(ctx, ['rerun']), ctx.store()]);
    if (warning) {
      ctx.warn(warning);
      evidence = [...warnings, warning];
    }
    result = await restoreSessions({
      server: ctx.server,
      checkpoint: body,
      sessions: request.sessions,
      ...(request.as !== undefined ? { as: request.as } : {}),
      replace: request.replace,
      noCommands: request.noCommands,
      dryRun: request.dryRun,
      rules: [...config.rerun.allowlist, ...(request.approved ?? [])],
      readBlob: blobReader(store, lostContents),
      env: ctx.env,
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.typist ? { typing: 'handoff' as const } : {}),
    });
  } catch (e) {
    if (!request.dryRun) await journalFailure(how, e, performance.now() - t0);
    throw e;
  }
  if (request.dryRun) return { result, journalProblem: null, lostContents, handoff: null };
  // They run again: a departure recorded before says nothing about how they end next.
  // Not clearing it costs little (a running session shows as running; its next save overrules it).
  if (result.restored.length) await sessionsBack(ctx, result.restored.map((r) => r.name));
  const lost = lostContents.map((l) => `contents blob ${l.blob.slice(0, 12)}… ${l.reason}: panes restored without it`);
  const journalProblem = await how.journal([restoreEntry(how.cause, body.id, result, performance.now() - t0, [...evidence, ...lost])]);
  const handoff = result.handoff && request.typist ? await handOffTyping(typingHandoff(ctx, how.cause, body.id, result.handoff), request.typist) : null;
  return { result, journalProblem, lostContents, handoff };
}

/** A restore from the newest good checkpoint, and which one that was. */
export interface NewestRestore extends Omit<RestoreOutcome, 'lostContents'> {
  readonly checkpointId: string;
  /** Newer checkpoints that were skipped as unreadable. */
  readonly warnings: readonly string[];
}

/**
 * Restore every session of the newest good checkpoint that is not running
 * (and did not leave on purpose since):
 * the watch daemon's automatic restore after a crash and unfreeze's last
 * rung (after it ended a hung server). Journaled, also when no checkpoint
 * is usable; throws a UserError then.
 */
export async function restoreNewest(ctx: Context, how: Journaling): Promise<NewestRestore> {
  const t0 = performance.now();
  let picked;
  try {
    const newest = await (await ctx.store()).newestGood();
    if (!newest.ok) throw checkpointFailure(newest.error);
    const cp = newest.value.checkpoint;
    if (!cp) throw new UserError(`No good checkpoint for tmux server ${ctx.server.label} in ${ctx.storeDir}`, EXIT.noCheckpoint);
    picked = { checkpoint: cp, warnings: newest.value.warnings };
  } catch (e) {
    await journalFailure(how, e, performance.now() - t0);
    throw e;
  }
  // Sessions closed on purpose since that checkpoint stay closed (said in the journal line).
  const { body, left } = withoutClosed(picked.checkpoint.body, (await loadDepartures(ctx)).departures);
  const why = left.map((n) => `left down: ${n} (closed on purpose)`);
  const outcome = await restore(ctx, { checkpoint: body, sessions: [], replace: false, noCommands: false, dryRun: false }, how, [...picked.warnings, ...why]);
  return { ...outcome, checkpointId: picked.checkpoint.id, warnings: picked.warnings };
}

function typingHandoff(ctx: Context, cause: string, checkpointId: string, finish: RestoreFinish): TypingHandoff {
  const env = Object.fromEntries(Object.entries(ctx.env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return { version: 1, server: ctx.server, env, storeDir: ctx.storeDir, cause, checkpointId, finish };
}

async function journalFailure(how: Journaling, e: unknown, durationMs: number): Promise<void> {
  await how.journal([{ kind: 'action', what: 'restore', cause: how.cause, result: 'failed', detail: failureLine(e), durationMs }]);
}
