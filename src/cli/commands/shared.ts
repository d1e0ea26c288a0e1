/**
 * Helpers shared by commands: turning checkpoint errors into UserErrors and
 * choosing the checkpoint a command works from.
 */
import type { CheckpointBody } from '../../../checkpoints/schema.js';
import type { CheckpointError } from '../../../checkpoints/result.js';
import type { CheckpointStore, StoredCheckpoint } from '../../../checkpoints/store.js';
import type { ContentsBlob } from '../../../checkpoints/schema.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { UserError } from '../../user-error.js';

/** A UserError for a checkpoint-layer failure. */
export function checkpointFailure(e: CheckpointError): UserError {
  const code = e.kind === 'io' ? EXIT.state : e.kind === 'bad-id' ? EXIT.usage : EXIT.noCheckpoint;
  return new UserError(e.message, code);
}

/** The checkpoint to work from: --from ID, else the newest good one passing `filter`. */
export async function pickCheckpoint(
  ctx: Context,
  from: string | undefined,
  filter?: (b: CheckpointBody) => boolean,
  /** What the filter asks for, e.g. `holding session "api"`: an unmet ask is a usage error. */
  asked?: string,
): Promise<{ checkpoint: StoredCheckpoint; fellBack: boolean }> {
  const store = await ctx.store();
  if (from) {
    const r = await store.read(from);
    if (!r.ok) throw checkpointFailure(r.error);
    return { checkpoint: r.value, fellBack: false };
  }
  const r = await store.newestGood(filter);
  if (!r.ok) throw checkpointFailure(r.error);
  for (const w of r.value.warnings) ctx.warn(w);
  if (!r.value.checkpoint) {
    const why = r.value.warnings.length ? ' (every checkpoint is unreadable)' : '';
    if (asked && !r.value.warnings.length) {
      throw new UserError(`No checkpoint of tmux server ${ctx.server.label} ${asked}; see tsession checkpoints`, EXIT.usage);
    }
    throw new UserError(
      `No checkpoint for tmux server ${ctx.server.label} in ${ctx.storeDir}${why}; run \`tsession save\` first`,
      EXIT.noCheckpoint,
    );
  }
  return { checkpoint: r.value.checkpoint, fellBack: r.value.warnings.length > 0 };
}

/** Panes in a body. */
export const paneCount = (b: Pick<CheckpointBody, 'sessions'>): number =>
  b.sessions.reduce((n, s) => n + s.windows.reduce((m, w) => m + w.panes.length, 0), 0);

/** A restore's blob reader: a missing or damaged blob restores the pane without contents. */
export const blobReader =
  (store: CheckpointStore) =>
  async (sha256: string): Promise<ContentsBlob | null> => {
    const r = await store.getBlob(sha256);
    return r.ok ? r.value : null;
  };

/** A usage error for a command that takes no positional arguments. */
export function refuseArguments(command: string, positionals: readonly string[]): void {
  if (positionals.length) {
    throw new UserError(`${command} takes no arguments, got ${JSON.stringify(positionals[0])}; see tsession ${command} --help`, EXIT.usage);
  }
}
