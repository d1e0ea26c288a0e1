/**
 * Checkpoint file constants, free of the schema library so that writing a
 * checkpoint (the hot path of `tsession save`) does not load it.
 */

/** Current schema version written by this build. */
export const CHECKPOINT_VERSION = 1 as const;
/** Marks a file as a tsession checkpoint. */
export const CHECKPOINT_FORMAT = 'tsession-checkpoint' as const;
