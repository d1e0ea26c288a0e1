/**
 * When the watch daemon saves: after a burst of tmux notifications has been
 * quiet for `quietMs` (but no later than `maxWaitMs` after its first one),
 * and every `intervalMs` regardless, because a shell's cwd, its foreground
 * job and pane contents change without any notification. Saves never
 * overlap: each runs after the one before it has finished.
 */

export interface SaveSchedule {
  /** Quiet time after the last notification of a burst. */
  readonly quietMs: number;
  /** Longest a notification waits for its save while notifications keep coming. */
  readonly maxWaitMs: number;
  /** Time between saves when nothing is notified (0: never). */
  readonly intervalMs: number;
}

/** The timer functions the scheduler uses (Node's by default; tests can pass fakes). */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const NODE_TIMERS: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Runs one save; the causes are the notifications (or 'interval', …) that asked for it. */
export type SaveRunner = (causes: readonly string[]) => Promise<void>;

export class SaveScheduler {
  private burst: { readonly firstAt: number; readonly causes: Set<string>; handle: unknown } | null = null;
  private tick: unknown = null;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  /** While paused, saves already queued are dropped when their turn comes. */
  private paused = false;

  constructor(
    private readonly schedule: SaveSchedule,
    private readonly runner: SaveRunner,
    private readonly timers: Timers = NODE_TIMERS,
  ) {}

  /** Start (or resume) saving: the interval saves, and queued saves run again. */
  start(): void {
    this.paused = false;
    this.armInterval();
  }

  /**
   * Drop the pending burst, the interval and queued saves until `start`
   * (the server is gone, or about to be restored: a save then would record
   * half a server). Resolves when the save under way, if any, has finished.
   */
  pause(): Promise<void> {
    this.paused = true;
    if (this.burst?.handle != null) this.timers.clearTimeout(this.burst.handle);
    this.burst = null;
    if (this.tick !== null) this.timers.clearTimeout(this.tick);
    this.tick = null;
    return this.chain;
  }

  /** A notification arrived: save once the burst it belongs to is over. */
  poke(cause: string): void {
    if (this.stopped) return;
    const now = this.timers.now();
    if (!this.burst) this.burst = { firstAt: now, causes: new Set(), handle: null };
    const burst = this.burst;
    burst.causes.add(cause);
    if (burst.handle !== null) this.timers.clearTimeout(burst.handle);
    const due = Math.min(now + this.schedule.quietMs, burst.firstAt + this.schedule.maxWaitMs);
    burst.handle = this.timers.setTimeout(() => this.fire(), Math.max(0, due - now));
  }

  /** Save now (after any save under way), with whatever burst is pending folded in; nothing while paused. */
  saveNow(cause: string): Promise<void> {
    const causes = this.takeBurst();
    causes.add(cause);
    return this.enqueue([...causes]);
  }

  /** No more saves are started; resolves when the one under way (if any) has finished. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.pause();
  }

  private fire(): void {
    const causes = this.takeBurst();
    if (causes.size) void this.enqueue([...causes]);
  }

  private takeBurst(): Set<string> {
    const burst = this.burst;
    this.burst = null;
    if (burst?.handle != null) this.timers.clearTimeout(burst.handle);
    return burst?.causes ?? new Set();
  }

  private enqueue(causes: readonly string[]): Promise<void> {
    // The runner reports its own failures; a rejection must not stop later saves.
    this.chain = this.chain.then(() => (this.paused ? undefined : this.runner(causes))).catch(() => {});
    // Any save restarts the interval: it measures time since the last save.
    this.armInterval();
    return this.chain;
  }

  private armInterval(): void {
    if (this.stopped || this.schedule.intervalMs <= 0) return;
    if (this.tick !== null) this.timers.clearTimeout(this.tick);
    this.tick = this.timers.setTimeout(() => {
      this.tick = null;
      if (!this.stopped) void this.enqueue(['interval']);
    }, this.schedule.intervalMs);
  }
}
