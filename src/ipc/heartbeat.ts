/**
 * The heartbeat's judgement, without timers: a client pings every interval
 * and calls the peer "not answering" after a number of intervals with no
 * frame from it. Time is monotonic and passed in; a tick that comes much
 * later than planned means our own event loop stalled (a laptop suspend, a
 * stopped client, a long synchronous task), and the peer's answer may be
 * unread in our socket, so the count starts over instead of growing.
 */

/** The heartbeat's tunables. */
export interface HeartbeatOptions {
  readonly intervalMs: number;
  /** Missed intervals after which the peer is "not answering". */
  readonly misses: number;
}

/** Ping every second; not answering after three silent seconds. */
export const DEFAULT_HEARTBEAT: HeartbeatOptions = { intervalMs: 1_000, misses: 3 } as const;

/** What to do after a tick. */
export interface TickVerdict {
  /** Whether the peer now counts as not answering. */
  readonly notAnswering: boolean;
  /** True when this tick came so late that our own loop must have stalled. */
  readonly stalled: boolean;
}

/**
 * One connection's heartbeat state. Send the first ping when constructing
 * it and one after every tick: a peer silent from the start is then "not
 * answering" `misses × intervalMs` after it, and one that stops later within
 * one more interval (the first ping it leaves unanswered starts the count).
 */
export class Heartbeat {
  private lastTick: number;
  private missed = 0;
  /** Whether a frame came from the peer since the last tick. */
  private heard = false;

  constructor(
    now: number,
    private readonly options: HeartbeatOptions = DEFAULT_HEARTBEAT,
  ) {
    this.lastTick = now;
  }

  /** Any frame from the peer: it is alive. */
  alive(): void {
    this.heard = true;
    this.missed = 0;
  }

  /** The interval timer fired at monotonic time `now` (ms). Send a ping after it. */
  tick(now: number): TickVerdict {
    const gap = now - this.lastTick;
    this.lastTick = now;
    // A tick more than one interval late: we were not running, so the
    // silence proves nothing about the peer.
    if (gap > 2 * this.options.intervalMs) {
      this.missed = 0;
      this.heard = false;
      return { notAnswering: false, stalled: true };
    }
    if (!this.heard) this.missed++;
    this.heard = false;
    return { notAnswering: this.missed >= this.options.misses, stalled: false };
  }

  /** Intervals in a row without a frame from the peer. */
  get missedCount(): number {
    return this.missed;
  }
}
