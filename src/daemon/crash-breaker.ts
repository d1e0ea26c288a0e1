/**
 * The circuit breaker of automatic restores: a server that crashes more than
 * `maxRestores` times within `windowMs` is left down and reported, so a
 * session whose restore itself brings the server down cannot loop forever.
 * A retry of a failed restore is counted like a crash: the budget bounds
 * restores, however they fail.
 */

export interface BreakerPolicy {
  readonly maxRestores: number;
  readonly windowMs: number;
}

/** The breaker's answer for one crash. */
export type BreakerVerdict =
  | { readonly kind: 'restore'; readonly recent: number }
  | { readonly kind: 'open'; readonly recent: number; readonly sinceMs: number };

export class CrashBreaker {
  private readonly crashes: number[] = [];

  constructor(private readonly policy: BreakerPolicy) {}

  /** Record a crash at `now` (ms) and say whether to restore after it. */
  crashed(now: number): BreakerVerdict {
    this.crashes.push(now);
    while (this.crashes.length && this.crashes[0]! <= now - this.policy.windowMs) this.crashes.shift();
    const recent = this.crashes.length;
    if (recent <= this.policy.maxRestores) return { kind: 'restore', recent };
    return { kind: 'open', recent, sinceMs: now - this.crashes[0]! };
  }
}
