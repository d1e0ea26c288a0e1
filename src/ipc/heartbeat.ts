/**
 * The heartbeat's judgement, without timers: a client pings every interval
 * and calls the peer "not answering" once it has heard nothing from it for
 * `misses` intervals (three missed pongs). Time is monotonic and passed in.
 * A check that comes much later than planned means our own event loop
 * stalled (a laptop suspend, a stopped client, a long synchronous task) and
 * the peer's answer may be unread in our socket, so the silence is counted
 * afresh from then instead of against the peer.
 */

/** The heartbeat's tunables. */
export interface HeartbeatOptions {
  readonly intervalMs: number;
  /** Intervals of silence after which the peer is "not answering". */
  readonly misses: number;
}

/** Ping every second; not answering after three silent seconds. */
export const DEFAULT_HEARTBEAT: HeartbeatOptions = { intervalMs: 1_000, misses: 3 } as const;

/** Checks per ping interval: the not-answering verdict comes within a tenth of an interval of the deadline (≤ 3.1 s of silence by default). */
export const CHECKS_PER_INTERVAL = 10;

/** What a check found. */
export interface CheckVerdict {
  /** Whether the peer now counts as not answering. */
  readonly notAnswering: boolean;
  /** True when this check came so late that our own loop must have stalled. */
  readonly stalled: boolean;
}

/**
 * One connection's heartbeat state. The owner pings every `intervalMs` and
 * calls check() `CHECKS_PER_INTERVAL` times per interval; a peer that stops
 * answering is then "not answering" `misses × intervalMs` after its last
 * frame (plus at most a tenth of an interval).
 */
export class Heartbeat {
  private lastHeard: number;
  private lastCheck: number;

  constructor(
    now: number,
    private readonly options: HeartbeatOptions = DEFAULT_HEARTBEAT,
  ) {
    this.lastHeard = now;
    this.lastCheck = now;
  }

  /** Any frame from the peer at monotonic time `now` (ms): it is alive. */
  alive(now: number): void {
    this.lastHeard = now;
  }

  /** Judge the silence at monotonic time `now` (ms). */
  check(now: number): CheckVerdict {
    const gap = now - this.lastCheck;
    this.lastCheck = now;
    // A whole interval late: we were not running, so the silence proves
    // nothing about the peer. Count it from now.
    if (gap > this.options.intervalMs) {
      this.lastHeard = now;
      return { notAnswering: false, stalled: true };
    }
    return { notAnswering: now - this.lastHeard >= this.options.misses * this.options.intervalMs, stalled: false };
  }

  /** How long the peer has been silent at `now`. */
  silenceMs(now: number): number {
    return now - this.lastHeard;
  }
}
