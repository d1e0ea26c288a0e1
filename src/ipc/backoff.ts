/**
 * Reconnect delays: exponential from 50 ms, doubling to 2 s, jittered so
 * many clients of one restarted server do not knock at once. Pure: the
 * random source is passed in.
 */

/** The reconnect schedule's tunables. */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Share of each delay that is random: 0.5 means a delay lands in [d/2, d]. */
  readonly jitter: number;
}

/** 50 ms doubling to 2 s, up to half of each delay random. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 50, maxMs: 2_000, jitter: 0.5 } as const;

/**
 * The delay before reconnect attempt `attempt` (0 for the first). The
 * jitter only shortens a delay, so none exceeds `maxMs`.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponent = Math.min(Math.max(0, attempt), 30);
  const full = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  return Math.round(full * (1 - options.jitter * random()));
}
