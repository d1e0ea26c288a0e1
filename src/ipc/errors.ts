/**
 * Errors as values for the IPC layer: every way a socket cannot be listened
 * on, connected to or kept, each with a kind a caller can branch on and one
 * line a person can act on. Non-goals: exit codes (src/cli maps kinds).
 */

/** Why the runtime directory cannot hold our sockets. */
export type RuntimeDirErrorKind =
  /** The path is a symbolic link (someone may point it at a directory they own). */
  | 'symlink'
  /** The directory belongs to another user. */
  | 'foreign-owner'
  /** The directory's mode is not exactly 0700. */
  | 'bad-mode'
  /** Something other than a directory is at the path. */
  | 'not-a-directory';

/** Every kind of IPC failure. */
export type IpcErrorKind =
  | RuntimeDirErrorKind
  /** A file that is not a socket (or a socket we cannot judge) sits at the socket path. */
  | 'socket-path-taken'
  /** A live server already answers on the socket path. */
  | 'already-running'
  /** Nobody listens on the socket path (no file, or a stale socket). */
  | 'not-running'
  /** The socket path is longer than a Unix socket address allows. */
  | 'path-too-long'
  /** The server accepted the connection but said nothing (not even its hello) for the heartbeat's misses. */
  | 'not-answering'
  /** The peer speaks a protocol version we cannot talk to (or we are too old for it). */
  | 'incompatible'
  /** The file system or the socket refused (EACCES, ENOSPC, …); `code` says which. */
  | 'io';

/** One failure: its kind, the path it is about, one actionable line. */
export interface IpcError {
  readonly kind: IpcErrorKind;
  readonly path: string;
  /** One line for a person: what was expected, what was found, what to do. */
  readonly message: string;
  /** errno code for 'io'. */
  readonly code?: string;
}

/** Build an IpcError. */
export function ipcError(kind: IpcErrorKind, path: string, message: string, code?: string): IpcError {
  return code === undefined ? { kind, path, message } : { kind, path, message, code };
}

/** The errno code of a thrown value, or 'UNKNOWN'. */
export function errnoOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}
