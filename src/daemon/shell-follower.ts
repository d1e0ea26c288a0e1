/**
 * What each shell last ran, learned from its shell-integration markers
 * (DESIGN.md, "Watch mode": `%output` feeds each pane's marker parser).
 *
 * tmux sends a control client only the output of panes in its own
 * session's windows, so this keeps one output client per session. Each
 * pane has one parser and one tracker (sessions/pane-tracker.ts), fed by
 * one client at a time: a window linked into two sessions reaches both
 * clients, and its bytes must be parsed once. The client that feeds a pane
 * hands it over when it has been silent a moment while another client
 * delivers it (the window moved, or its session closed).
 *
 * A pane's parser is made when its first bytes arrive, with the nonce its
 * shell registered (nonce-store.ts), so only command lines carrying that
 * nonce are trusted. Trackers are keyed by pane id and the shell's pid: a
 * respawned pane (a new process under the same id) starts over and never
 * inherits the old shell's trust.
 */
import type { PaneRecord } from '../../checkpoints/schema.js';
import { createMarkerParser } from '../../parsers/marker-parser.js';
import { openEventFeed, type EventFeed } from '../../sessions/tmux/event-feed.js';
import { readPaneNonce } from '../../sessions/shell-integration/nonce-store.js';
import { feedPane, PaneTracker, type MarkerSource } from '../../sessions/shell-integration/pane-tracker.js';
import type { ServerSpec } from '../../sessions/tmux/server.js';
import { runTmux } from '../../sessions/tmux/client.js';

export const FOLLOWER_LIMITS = {
  /** tmux pauses a pane for a client that is this many seconds behind. */
  pauseAfterS: 5,
  /** Bytes a pane may hold while its shell's pid is looked up; more are dropped (counted). */
  pendingBytes: 256 * 1024,
  /** Silence of the feeding client after which another client delivering the pane takes it over. */
  handOverMs: 1_000,
} as const;

interface Followed {
  readonly parser: MarkerSource;
  readonly tracker: PaneTracker;
  /** The shell's pid when the tracker was made (0: unknown). */
  readonly pid: number;
  /** Session id of the client whose bytes this pane takes. */
  owner: string;
  lastAt: number;
}

interface Pending {
  readonly owner: string;
  readonly chunks: Uint8Array[];
  bytes: number;
}

/** A pane as a save sees it. */
export interface PaneRef {
  readonly id: string;
  readonly pid: number;
}

export class ShellFollower {
  private readonly feeds = new Map<string, EventFeed>();
  private readonly panes = new Map<string, Followed>();
  private readonly pending = new Map<string, Pending>();
  private lookup: Promise<void> | null = null;
  private closed = false;
  /** Bytes dropped while waiting for a pid lookup. */
  dropped = 0;

  constructor(
    private readonly server: ServerSpec,
    private readonly env: NodeJS.ProcessEnv,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Follow exactly these sessions: open a client for each new one, close those of sessions gone. */
  follow(sessionIds: readonly string[]): void {
    if (this.closed) return;
    const wanted = new Set(sessionIds);
    for (const [id, feed] of this.feeds) {
      if (wanted.has(id)) continue;
      this.feeds.delete(id);
      void feed.close();
    }
    for (const id of wanted) {
      if (this.feeds.has(id)) continue;
      const feed = openEventFeed(this.server, id, () => {}, this.env, {
        pauseAfterS: FOLLOWER_LIMITS.pauseAfterS,
        onOutput: (pane, data) => this.output(id, pane, data),
      });
      this.feeds.set(id, feed);
      void feed.ended.then(() => {
        if (this.feeds.get(id) === feed) this.feeds.delete(id);
      });
    }
  }

  /** The pane's last command as its markers told it, in the checkpoint's shape; nothing for another process under the same id. */
  lastCommand(pane: PaneRef): PaneRecord['lastCommand'] | undefined {
    const followed = this.panes.get(pane.id);
    if (!followed) return undefined;
    if (followed.pid !== 0 && followed.pid !== pane.pid) {
      this.panes.delete(pane.id); // respawned: the next bytes start a fresh parser with the new shell's nonce
      return undefined;
    }
    const last = followed.tracker.snapshot().lastCommand;
    if (!last) return undefined;
    return { commandLine: last.commandLine, trusted: last.trusted, exitCode: last.exitCode, durationMs: last.durationMs, source: last.source };
  }

  /** Forget panes that no longer exist (a save passes the panes it saw). */
  keepOnly(paneIds: ReadonlySet<string>): void {
    for (const id of this.panes.keys()) if (!paneIds.has(id)) this.panes.delete(id);
  }

  /** Detach every client (reading each to its end). */
  async close(): Promise<void> {
    this.closed = true;
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    await Promise.all(feeds.map((f) => f.close()));
  }

  /** Session ids with a client now. */
  sessions(): string[] {
    return [...this.feeds.keys()];
  }

  private output(session: string, pane: string, data: Uint8Array): void {
    const followed = this.panes.get(pane);
    if (followed) {
      const now = this.now();
      if (followed.owner !== session) {
        // The feeding client went quiet (the window moved, its session closed): this one takes over.
        if (this.feeds.has(followed.owner) && now - followed.lastAt < FOLLOWER_LIMITS.handOverMs) return;
        followed.owner = session;
      }
      followed.lastAt = now;
      feedPane(followed.tracker, followed.parser, data);
      return;
    }
    let wait = this.pending.get(pane);
    if (!wait) {
      wait = { owner: session, chunks: [], bytes: 0 };
      this.pending.set(pane, wait);
    }
    this.lookup ??= this.drain().finally(() => (this.lookup = null));
    if (wait.owner !== session) return;
    if (wait.bytes + data.length > FOLLOWER_LIMITS.pendingBytes) {
      this.dropped += data.length;
      return;
    }
    // The view's slab is shared with later output: keep a copy.
    wait.chunks.push(Uint8Array.from(data));
    wait.bytes += data.length;
  }

  /** Start waiting panes until none waits (panes may begin talking during a lookup). */
  private async drain(): Promise<void> {
    // Let the bytes of this turn of the event loop arrive first: one lookup for a burst of new panes.
    await Promise.resolve();
    while (this.pending.size && !this.closed) await this.startPanes();
  }

  /** One tmux call for the pids of every pane waiting, then a parser with its shell's nonce for each. */
  private async startPanes(): Promise<void> {
    const waiting = [...this.pending.keys()];
    let pids = new Map<string, number>();
    try {
      const out = await runTmux(this.server, [['list-panes', '-a', '-F', '#{pane_id} #{pane_pid}']], { env: this.env });
      pids = new Map(
        out.stdout
          .toString('latin1')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf(' ')), Number(l.slice(l.indexOf(' ') + 1))] as const),
      );
    } catch {
      // The server went away: these panes start without a nonce (nothing they say is trusted).
    }
    for (const pane of waiting) {
      const wait = this.pending.get(pane);
      if (!wait) continue;
      this.pending.delete(pane);
      if (this.closed) continue;
      const pid = pids.get(pane) ?? 0;
      const nonce = pid ? readPaneNonce(pid, this.env) : undefined;
      const followed: Followed = {
        parser: createMarkerParser(nonce ? { nonce } : {}),
        tracker: new PaneTracker(),
        pid,
        owner: wait.owner,
        lastAt: this.now(),
      };
      this.panes.set(pane, followed);
      for (const chunk of wait.chunks) feedPane(followed.tracker, followed.parser, chunk);
    }
  }
}
