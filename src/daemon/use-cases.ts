/**
 * The use cases the watch daemon calls, in one place: saving a checkpoint
 * and restoring the newest good one. The daemon reaches them only through
 * this object (injected into watchServer), so where they live can change
 * with one import here, and tests can wrap them.
 */
import { saveCheckpoint } from '../cli/commands/save.js';
import { restoreNewestGood } from '../cli/commands/restore-newest.js';

/** What the daemon does to the server besides watching it. */
export interface DaemonUseCases {
  readonly save: typeof saveCheckpoint;
  readonly restoreNewest: typeof restoreNewestGood;
}

/** The real use cases. */
export const USE_CASES: DaemonUseCases = { save: saveCheckpoint, restoreNewest: restoreNewestGood };
