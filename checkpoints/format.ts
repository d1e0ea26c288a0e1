/**
 * Checkpoint file constants, free of the schema library so that writing a
 * checkpoint (the hot path of `tsession save`) does not load it.
 */

/**
 * Current schema version written by this build. 2 added PTY sessions (an
 * optional `ptySessions` list); a version-1 file is still read as it is.
 */
export const CHECKPOINT_VERSION = 2 as const;
/** Oldest schema version this build still reads. */
export const CHECKPOINT_MIN_VERSION = 1 as const;
/** Marks a file as a tsession checkpoint. */
export const CHECKPOINT_FORMAT = 'tsession-checkpoint' as const;
