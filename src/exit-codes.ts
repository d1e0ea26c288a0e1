/** Process exit codes; README "Exit codes" documents them. */
export const EXIT = {
  ok: 0,
  /** The operation failed (restore rolled back, verify failed). */
  failed: 1,
  /** Bad usage: unknown option, unreadable input file. */
  usage: 2,
  /** tmux missing, too old, no server, no access, not answering. */
  tmux: 3,
  /** State dir unusable: not writable, full. */
  state: 4,
  /** No usable checkpoint (none, or all corrupt). */
  noCheckpoint: 5,
  /** A session of that name already exists. */
  conflict: 6,
  /** Done, but from an older checkpoint because a newer one was corrupt. */
  usedFallback: 10,
  /** A bug in tsession (sysexits' EX_SOFTWARE): the message says to rerun with --debug. */
  internal: 70,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
