/**
 * Errors as values at the checkpoints/ edge: a Result type and the kinds of
 * failure a caller must tell apart. Non-goals: printing (src/ does that).
 */

/** Success with a value, or failure with an error; never thrown across the module edge. */
export type Result<T, E = CheckpointError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

/** Wrap a value as success. */
export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });
/** Wrap an error as failure. */
export const err = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error });

/** Why a checkpoint or blob could not be used. */
export type CheckpointErrorKind =
  /** No such checkpoint/blob file. */
  | 'not-found'
  /** Unreadable as a checkpoint: truncated, bad JSON, schema, checksum, missing blob. */
  | 'corrupt'
  /** Written by a newer tsession with a schema this build does not know. */
  | 'future-version'
  /** The file system refused (EACCES, ENOSPC, EROFS, …). */
  | 'io'
  /** The id is not a valid checkpoint id (would escape the store dir). */
  | 'bad-id';

/** A failure that names the file and the reason; `message` is one actionable line. */
export interface CheckpointError {
  readonly kind: CheckpointErrorKind;
  /** The file the failure is about. */
  readonly file: string;
  /** Short reason, e.g. "invalid JSON (Unexpected end of JSON input)". */
  readonly reason: string;
  /** One line for a person: the file, the reason, what to do. */
  readonly message: string;
  /** errno code for 'io' failures. */
  readonly code?: string;
}

/** The one way to read a thrown value's message: an Error's message, else its string form. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
