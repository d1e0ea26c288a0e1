/**
 * The use cases the watch daemon calls, in one place: saving a checkpoint
 * and restoring the newest good one (src/ops/). The daemon reaches them only
 * through this object (injected into watchServer), so tests can wrap them.
 */
import { saveCheckpoint } from '../ops/save.js';
import { restoreNewest } from '../ops/restore.js';

/** What the daemon does to the server besides watching it. */
export interface DaemonUseCases {
  readonly save: typeof saveCheckpoint;
  readonly restoreNewest: typeof restoreNewest;
}

/** The real use cases. */
export const USE_CASES: DaemonUseCases = { save: saveCheckpoint, restoreNewest };
