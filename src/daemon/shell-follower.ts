/**
 * The tmux transport of the pane registry (sessions/shell-integration/
 * pane-registry.ts): `%output` of every pane, carried into the registry
 * (DESIGN.md, "Watch mode": `%output` feeds each pane's marker parser).
 *
 * tmux sends a control client only the output of panes in its own
 * session's windows, so this keeps one output client per session; each
 * client is a source of the registry, named by its session id. What the
 * bytes mean (parsers, trackers, nonces, respawns, handover) is the
 * registry's business, not this file's.
 */
import { openEventFeed, type EventFeed } from '../../sessions/tmux/event-feed.js';
import { readPaneNonce } from '../../sessions/shell-integration/nonce-store.js';
import { PaneRegistry } from '../../sessions/shell-integration/pane-registry.js';
import type { ServerSpec } from '../../sessions/tmux/server.js';
import { readPanePids } from '../../sessions/tmux/queries.js';

export type { PaneRef } from '../../sessions/shell-integration/pane-registry.js';

export const FOLLOWER_LIMITS = {
  /** tmux pauses a pane for a client that is this many seconds behind. */
  pauseAfterS: 5,
} as const;

export class ShellFollower {
  private readonly feeds = new Map<string, EventFeed>();
  private closed = false;
  /** Every followed pane's parser and tracker. */
  readonly panes: PaneRegistry;

  constructor(
    private readonly server: ServerSpec,
    private readonly env: NodeJS.ProcessEnv,
    now: () => number = () => performance.now(),
  ) {
    this.panes = new PaneRegistry({
      pidsOf: () => readPanePids(this.server, { env: this.env }),
      nonceOf: (pid) => readPaneNonce(pid, this.env),
      sourceAlive: (session) => this.feeds.has(session),
      now,
    });
  }

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
        onOutput: (pane, data) => this.panes.output(id, pane, data),
      });
      this.feeds.set(id, feed);
      void feed.ended.then(() => {
        if (this.feeds.get(id) === feed) this.feeds.delete(id);
      });
    }
  }

  /** Detach every client (reading each to its end). */
  async close(): Promise<void> {
    this.closed = true;
    this.panes.close();
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    await Promise.all(feeds.map((f) => f.close()));
  }
}
