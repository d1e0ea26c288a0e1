/**
 * The pane registry: one marker parser and one tracker per pane, fed with
 * that pane's output bytes from whatever carries them — tmux `%output` today
 * (src/daemon/shell-follower.ts), a PTY tsession hosts later. It knows
 * nothing of tmux: the transport names its sources and says how to learn a
 * pane's shell pid; the registry does the bookkeeping.
 *
 * - A pane's parser is made when its first bytes arrive, with the nonce its
 *   shell registered, so only command lines carrying that nonce are trusted.
 *   Bytes that arrive while the pid is looked up wait (bounded, counted).
 * - Panes are keyed by pane id and shell pid: a respawned pane (a new process
 *   under the same id) starts over and never inherits the old shell's trust.
 * - One source feeds a pane at a time (a tmux window linked into two sessions
 *   reaches two clients; its bytes must be parsed once). Another source takes
 *   the pane over once the feeding one has been silent a moment or is gone.
 */
import type { PaneRecord } from '../../checkpoints/schema.js';
import { createMarkerParser } from '../../parsers/marker-parser.js';
import { feedPane, PaneTracker, type MarkerSource, type ProcFacts } from './pane-tracker.js';

export const REGISTRY_LIMITS = {
  /** Bytes a pane may hold while its shell's pid is looked up; more are dropped (counted). */
  pendingBytes: 256 * 1024,
  /** Silence of the feeding source after which another source delivering the pane takes it over. */
  handOverMs: 1_000,
} as const;

/** A pane as a save sees it: its id and its own process (the shell). */
export interface PaneRef {
  readonly id: string;
  readonly pid: number;
}

/** What the transport provides. */
export interface PaneRegistryOptions {
  /** The shell pid of each of these panes (absent: unknown, the pane starts without a nonce). */
  pidsOf(paneIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /** The nonce the shell with this pid registered, if any (nonce-store.ts readPaneNonce). */
  nonceOf(pid: number): string | undefined;
  /** Whether a source still delivers output (a gone source hands its panes over at once). */
  sourceAlive(source: string): boolean;
  /** Clock in ms; injectable for tests. */
  readonly now?: () => number;
}

interface Followed {
  readonly parser: MarkerSource;
  readonly tracker: PaneTracker;
  /** The shell's pid when the tracker was made (0: unknown). */
  readonly pid: number;
  /** The source whose bytes this pane takes. */
  owner: string;
  lastAt: number;
}

interface Pending {
  readonly owner: string;
  readonly chunks: Uint8Array[];
  bytes: number;
}

/** A pane's cwd as the tracker's ladder has it, in the checkpoint's shape. */
export type CwdRecord = PaneRecord['cwd'];

export class PaneRegistry {
  private readonly panes = new Map<string, Followed>();
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;
  private lookup: Promise<void> | null = null;
  private closed = false;
  /** Bytes dropped while waiting for a pid lookup. */
  dropped = 0;

  constructor(private readonly transport: PaneRegistryOptions) {
    this.now = transport.now ?? (() => performance.now());
  }

  /** Bytes pane `pane` wrote, as source `source` delivered them (a view: copied if kept). */
  output(source: string, pane: string, data: Uint8Array): void {
    if (this.closed) return;
    const followed = this.panes.get(pane);
    if (followed) {
      this.feed(followed, source, data);
      return;
    }
    let wait = this.pending.get(pane);
    if (!wait) {
      wait = { owner: source, chunks: [], bytes: 0 };
      this.pending.set(pane, wait);
    }
    this.lookup ??= this.drain().finally(() => (this.lookup = null));
    if (wait.owner !== source) return;
    if (wait.bytes + data.length > REGISTRY_LIMITS.pendingBytes) {
      this.dropped += data.length;
      return;
    }
    // The view's slab is shared with later output: keep a copy.
    wait.chunks.push(Uint8Array.from(data));
    wait.bytes += data.length;
  }

  /** The pane's last command as its markers told it, in the checkpoint's shape; nothing for another process under the same id. */
  lastCommand(pane: PaneRef): PaneRecord['lastCommand'] | undefined {
    const last = this.current(pane)?.tracker.snapshot().lastCommand;
    if (!last) return undefined;
    return { commandLine: last.commandLine, trusted: last.trusted, exitCode: last.exitCode, durationMs: last.durationMs, source: last.source };
  }

  /**
   * The pane's cwd from the tracker's ladder, given what /proc or tmux says
   * now (the floor): a marker cwd (OSC 633 P;Cwd, 7, 1337, 9;9) wins while it
   * is current; the floor overrules it once the shell sits idle elsewhere and
   * markers have gone silent. Undefined when markers told nothing better
   * than the floor (the caller keeps its own).
   */
  cwd(pane: PaneRef, floor: ProcFacts): CwdRecord | undefined {
    const followed = this.current(pane);
    if (!followed) return undefined;
    followed.tracker.applyProcFacts(floor);
    const cwd = followed.tracker.snapshot().cwd;
    if (!cwd || cwd.source === 'proc' || cwd.source === 'tmux') return undefined;
    return { path: cwd.path, source: cwd.source };
  }

  /** Forget panes that no longer exist (a save passes the panes it saw). */
  keepOnly(paneIds: ReadonlySet<string>): void {
    for (const id of this.panes.keys()) if (!paneIds.has(id)) this.panes.delete(id);
  }

  /** Pane ids with a tracker now. */
  paneIds(): string[] {
    return [...this.panes.keys()];
  }

  /** No more output is taken; lookups under way start nothing. */
  close(): void {
    this.closed = true;
    this.pending.clear();
  }

  /** The pane's state if it is still the same shell; a respawned pane is forgotten (its next bytes start over). */
  private current(pane: PaneRef): Followed | undefined {
    const followed = this.panes.get(pane.id);
    if (!followed) return undefined;
    if (followed.pid !== 0 && followed.pid !== pane.pid) {
      this.panes.delete(pane.id);
      return undefined;
    }
    return followed;
  }

  private feed(followed: Followed, source: string, data: Uint8Array): void {
    const now = this.now();
    if (followed.owner !== source) {
      // The feeding source went quiet (a tmux window moved, its session closed): this one takes over.
      if (this.transport.sourceAlive(followed.owner) && now - followed.lastAt < REGISTRY_LIMITS.handOverMs) return;
      followed.owner = source;
    }
    followed.lastAt = now;
    feedPane(followed.tracker, followed.parser, data);
  }

  /** Start waiting panes until none waits (panes may begin talking during a lookup). */
  private async drain(): Promise<void> {
    // Let the bytes of this turn of the event loop arrive first: one lookup for a burst of new panes.
    await Promise.resolve();
    while (this.pending.size && !this.closed) await this.startPanes();
  }

  /** One lookup for the pids of every pane waiting, then a parser with its shell's nonce for each. */
  private async startPanes(): Promise<void> {
    const waiting = [...this.pending.keys()];
    let pids: ReadonlyMap<string, number> = new Map();
    try {
      pids = await this.transport.pidsOf(waiting);
    } catch {
      // The transport is gone (a tmux server ended): these panes start without a nonce (nothing they say is trusted).
    }
    for (const pane of waiting) {
      const wait = this.pending.get(pane);
      if (!wait) continue;
      this.pending.delete(pane);
      if (this.closed) continue;
      const pid = pids.get(pane) ?? 0;
      const nonce = pid ? this.transport.nonceOf(pid) : undefined;
      const followed: Followed = {
        parser: createMarkerParser(nonce ? { nonce } : {}),
        tracker: new PaneTracker({ now: this.now }),
        pid,
        owner: wait.owner,
        lastAt: this.now(),
      };
      this.panes.set(pane, followed);
      for (const chunk of wait.chunks) feedPane(followed.tracker, followed.parser, chunk);
    }
  }
}
