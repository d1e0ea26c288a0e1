/**
 * The messages between the keeper (holds the pty masters and a ring of
 * recent output per session) and the host (mirrors, checkpoints, serves
 * clients). Plain objects, so any frame transport carries them; `type` names
 * the type and an unknown `type` is ignored by both sides. Offsets are absolute
 * byte counts of a session's output since it started.
 */
import type { PtySpawnRequest } from '../../sessions/pty/adapter.js';

/** A session as the keeper knows it. */
export interface KeptSession {
  readonly id: string;
  readonly name: string;
  readonly pid: number;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly cols: number;
  readonly rows: number;
  /** Oldest offset the ring still holds, and the offset just past the newest byte. */
  readonly start: number;
  readonly end: number;
  readonly exit: { readonly exitCode: number; readonly signal: number | null } | null;
  readonly createdAt: number;
}

/** What the host asks of the keeper. */
export type HostToKeeper =
  | { readonly type: 'list' }
  | ({ readonly type: 'spawn'; readonly id: string; readonly name: string } & PtySpawnRequest)
  | { readonly type: 'input'; readonly id: string; readonly data: Uint8Array | string }
  | { readonly type: 'resize'; readonly id: string; readonly cols: number; readonly rows: number }
  | { readonly type: 'signal'; readonly id: string; readonly signal: string }
  /** Stream the session's output from `from` on (what the ring still holds, then live). */
  | { readonly type: 'follow'; readonly id: string; readonly from: number }
  /** Forget an exited session (its ring is freed). */
  | { readonly type: 'release'; readonly id: string }
  /**
   * Hold (or let go) reading the session's pty while the host's mirror is
   * behind, so a flood is paced to the mirror instead of overrunning the
   * ring. A hold is a lease: it ends by itself KEEPER_LIMITS.holdMs after
   * the last one, so a host that hangs never stalls a shell for longer.
   */
  | { readonly type: 'pace'; readonly id: string; readonly hold: boolean };

/** What the keeper tells the host. */
export type KeeperToHost =
  | { readonly type: 'sessions'; readonly sessions: readonly KeptSession[] }
  | { readonly type: 'spawned'; readonly id: string; readonly pid: number }
  | { readonly type: 'spawn-failed'; readonly id: string; readonly message: string }
  /** Output bytes at absolute offset `from`; `lost` bytes before it fell off the ring. */
  | { readonly type: 'output'; readonly id: string; readonly from: number; readonly data: Uint8Array; readonly lost: number }
  | { readonly type: 'exit'; readonly id: string; readonly exitCode: number; readonly signal: number | null };
