/**
 * Restore every session of the newest good checkpoint that is not running:
 * the last rung of unfreeze (after it ended a hung server) and the watch
 * daemon's automatic restore after a crash. Kept apart from shared.ts,
 * which `save` loads: this pulls in the whole restore transaction.
 */
import type { RestoreResult } from '../../../sessions/restore/transaction.js';
import { restoreSessions } from '../../../sessions/restore/transaction.js';
import type { Context } from '../../context.js';
import { blobReader } from './shared.js';

export interface NewestRestore {
  readonly checkpointId: string;
  readonly result: RestoreResult;
  /** Newer checkpoints that were skipped as unreadable. */
  readonly warnings: readonly string[];
}

/** Throws (with a line a person can act on) when no good checkpoint exists or tmux fails. */
export async function restoreNewestGood(ctx: Context): Promise<NewestRestore> {
  const store = await ctx.store();
  const newest = await store.newestGood();
  if (!newest.ok) throw new Error(newest.error.message);
  const cp = newest.value.checkpoint;
  if (!cp) throw new Error(`no good checkpoint for tmux server ${ctx.server.label} in ${ctx.storeDir}`);
  const config = await ctx.config();
  const result = await restoreSessions({
    server: ctx.server,
    checkpoint: cp.body,
    sessions: [],
    replace: false,
    noCommands: false,
    dryRun: false,
    rules: config.rerun.allowlist,
    readBlob: blobReader(store),
    env: ctx.env,
  });
  return { checkpointId: cp.id, result, warnings: newest.value.warnings };
}
