/**
 * Auto-unfreeze (opt-in, DESIGN.md "Recovering a frozen session"): which
 * sessions the policy covers, and which frozen targets (a pane, or the
 * server) have stayed frozen long enough for the gentle rungs. Pure, with
 * the clock passed in. Non-goals: probing (health-watch.ts), repairing
 * (src/ops/unfreeze.ts `unfreezeGently`).
 */
import type { WatchConfig } from '../ops/config.js';

/** The policy in force: which sessions, and how long a freeze must last first. */
export interface AutoUnfreezePolicy {
  covers(session: string): boolean;
  /** Whether a frozen server is covered, given the sessions it is known to hold (maybe none: stopped before any round saw it). */
  coversServer(sessions: readonly string[]): boolean;
  readonly afterMs: number;
}

/**
 * The command line's `--auto-unfreeze` (every session) or else the config's
 * `watch.autoUnfreeze`; `--auto-unfreeze-after` wins over the config's wait.
 * null: off.
 */
export function autoUnfreezePolicy(flag: boolean, afterMsFlag: number | null, config: WatchConfig): AutoUnfreezePolicy | null {
  const afterMs = afterMsFlag ?? config.autoUnfreezeAfterMs;
  if (flag || config.autoUnfreeze === true) return { covers: () => true, coversServer: () => true, afterMs };
  if (config.autoUnfreeze === false || config.autoUnfreeze.length === 0) return null;
  const names = new Set(config.autoUnfreeze);
  // A server is resumed for a named session only when it is known to hold one.
  return { covers: (s) => names.has(s), coversServer: (sessions) => sessions.some((s) => names.has(s)), afterMs };
}

/**
 * Since when each target has been seen frozen, and which were already
 * tried during this freeze: the gentle rungs run once per freeze, never in
 * a loop against a job something keeps stopping.
 */
export class FreezeTimer {
  private readonly since = new Map<string, number>();
  private readonly done = new Set<string>();

  /**
   * This round's frozen targets: a new one starts its clock; one no longer
   * frozen is forgotten (its next freeze is a new one). `panesSeen` false
   * (the round saw no pane): pane targets keep their clocks.
   */
  seen(targets: Iterable<string>, now: number, panesSeen: boolean, server: string): void {
    const current = new Set(targets);
    for (const t of [...this.since.keys()]) {
      if (current.has(t) || (!panesSeen && t !== server)) continue;
      this.since.delete(t);
      this.done.delete(t);
    }
    for (const t of current) if (!this.since.has(t)) this.since.set(t, now);
  }

  /** Frozen for `afterMs` or longer, and not yet tried in this freeze. */
  due(target: string, now: number, afterMs: number): boolean {
    const since = this.since.get(target);
    return since !== undefined && !this.done.has(target) && now - since >= afterMs;
  }

  /** How long `target` has been frozen, ms (0 when it is not). */
  frozenFor(target: string, now: number): number {
    const since = this.since.get(target);
    return since === undefined ? 0 : now - since;
  }

  /** Time until the first target not yet tried becomes due, ms (null: none waits). */
  nextDueIn(now: number, afterMs: number): number | null {
    let first: number | null = null;
    for (const [t, since] of this.since) {
      if (this.done.has(t)) continue;
      const left = Math.max(0, since + afterMs - now);
      first = first === null ? left : Math.min(first, left);
    }
    return first;
  }

  /** The gentle rungs ran (or there were none): not again during this freeze. */
  tried(target: string): void {
    this.done.add(target);
  }
}
