/**
 * What each shell last ran, learned from its shell-integration markers
 * (DESIGN.md, "Watch mode": `%output` feeds each pane's marker parser).
 *
 * tmux sends a control client only the output of panes in its own
 * session's windows, so this keeps one output client per session. Each
 * pane has one parser and one tracker (sessions/pane-tracker.ts), fed by
 * the first client that delivered its output: a window linked into two
 * sessions reaches both clients, and its bytes must be parsed once. A
 * pane's parser is made when its first bytes arrive, with the nonce its
 * shell registered (nonce-store.ts), so only command lines carrying that
 * nonce are trusted; bytes that arrive while its pid is being looked up
 * wait, bounded.
 */
import type { PaneRecord } from '../../checkpoints/schema.js';
import { createMarkerParser } from '../../parsers/marker-parser.js';
import { openEventFeed, type EventFeed } from '../../sessions/event-feed.js';
import { readPaneNonce } from '../../sessions/nonce-store.js';
import { feedPane, PaneTracker, type MarkerSource } from '../../sessions/pane-tracker.js';
import type { ServerSpec } from '../../sessions/server.js';
import { runTmux } from '../../sessions/tmux.js';

export const FOLLOWER_LIMITS = {
  /** tmux pauses a pane for a client that is this many seconds behind. */
  pauseAfterS: 5,
  /** Bytes a pane may hold while its shell's pid is looked up; more are dropped (counted). */
  pendingBytes: 256 * 1024,
} as const;

interface Followed {
  readonly parser: MarkerSource;
  readonly tracker: PaneTracker;
  /** Session id of the client whose bytes this pane takes. */
  readonly owner: string;
}

interface Pending {
  readonly owner: string;
  readonly chunks: Uint8Array[];
  bytes: number;
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
  ) {}

  /** Follow exactly these sessions: open a client for each new one, close those of sessions gone. */
  follow(sessionIds: readonly string[]): void {
    if (this.closed) return;
    const wanted = new Set(sessionIds);
    for (const [id, feed] of this.feeds) {
      if (wanted.has(id)) continue;
      this.feeds.delete(id);
      void feed.close();
      this.disown(id);
    }
    for (const id of wanted) {
      if (this.feeds.has(id)) continue;
      const feed = openEventFeed(this.server, id, () => {}, this.env, {
        pauseAfterS: FOLLOWER_LIMITS.pauseAfterS,
        onOutput: (pane, data) => this.output(id, pane, data),
      });
      this.feeds.set(id, feed);
      // A client that ends by itself (its session closed) stops owning panes.
      void feed.ended.then(() => {
        if (this.feeds.get(id) === feed) this.feeds.delete(id);
        this.disown(id);
      });
    }
  }

  /** The pane's last command as its markers told it, in the checkpoint's shape. */
  lastCommand(paneId: string): PaneRecord['lastCommand'] | undefined {
    const last = this.panes.get(paneId)?.tracker.snapshot().lastCommand;
    if (!last) return undefined;
    return { commandLine: last.commandLine, trusted: last.trusted, exitCode: last.exitCode, durationMs: last.durationMs, source: last.source };
  }

  /** Forget panes that no longer exist (their trackers would otherwise live as long as the daemon). */
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

  /** Session ids with a client now (for tests and status). */
  sessions(): string[] {
    return [...this.feeds.keys()];
  }

  private output(session: string, pane: string, data: Uint8Array): void {
    const followed = this.panes.get(pane);
    if (followed) {
      if (followed.owner === session) feedPane(followed.tracker, followed.parser, data);
      return;
    }
    let wait = this.pending.get(pane);
    if (!wait) {
      wait = { owner: session, chunks: [], bytes: 0 };
      this.pending.set(pane, wait);
    }
    if (wait.owner !== session) return;
    if (wait.bytes + data.length > FOLLOWER_LIMITS.pendingBytes) {
      this.dropped += data.length;
      return;
    }
    // The view's slab is shared with later output: keep a copy.
    wait.chunks.push(Uint8Array.from(data));
    wait.bytes += data.length;
    this.lookup ??= this.startPanes().finally(() => {
      this.lookup = null;
      // Panes that began talking during the lookup get the next one.
      if (this.pending.size && !this.closed) this.lookup = this.startPanes().finally(() => (this.lookup = null));
    });
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
    // The same list says which followed panes are gone.
    if (pids.size) this.keepOnly(new Set(pids.keys()));
    for (const pane of waiting) {
      const wait = this.pending.get(pane);
      if (!wait) continue;
      this.pending.delete(pane);
      if (this.closed || !this.feeds.has(wait.owner)) continue;
      const pid = pids.get(pane);
      const nonce = pid ? readPaneNonce(pid, this.env) : undefined;
      const followed: Followed = { parser: createMarkerParser(nonce ? { nonce } : {}), tracker: new PaneTracker(), owner: wait.owner };
      this.panes.set(pane, followed);
      for (const chunk of wait.chunks) feedPane(followed.tracker, followed.parser, chunk);
    }
  }

  /** Panes fed by `session`'s client start over with the next client that delivers them. */
  private disown(session: string): void {
    for (const [id, p] of this.panes) if (p.owner === session) this.panes.delete(id);
    for (const [id, p] of this.pending) if (p.owner === session) this.pending.delete(id);
  }
}
