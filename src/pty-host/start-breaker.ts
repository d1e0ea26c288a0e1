/**
 * The crash-loop breaker of the PTY host's own starts. Commands and
 * attached terminals start the host whenever none answers; a host that
 * dies at start-up would be started again forever. So each start is
 * recorded (start-history.ts), and a host that finds `maxCrashes` crashed
 * starts within `windowMs` before it refuses to start and says why.
 *
 * A crashed start is one that failed (said so), crashed (an uncaught
 * error, said so), or ended any other way than a clean stop before it
 * served (SIGKILL or a native crash during start-up, its keeper lost at
 * once). A clean stop (SIGTERM, SIGINT) and the end that follows a keeper
 * lost after the host served are not crashes; nor is a host killed from
 * outside after it served (a person's SIGKILL, the OOM killer): that is
 * not a loop the breaker could stop, and counting it would lock out the
 * recovery a kill is followed by. Pure: the caller brings the clock.
 */
import type { CountedCrash } from './host-events.js';

/** 5 crashed starts within 60 s open the breaker (systemd's StartLimitBurst is 5 in 10 s; a host's start takes longer). */
export const HOST_START_BREAKER = { maxCrashes: 5, windowMs: 60_000 } as const;

/** The breaker's numbers. */
export interface StartBreakerPolicy {
  readonly maxCrashes: number;
  readonly windowMs: number;
}

/** Starts kept in the history: enough for any policy of a few crashes. */
export const START_HISTORY_MAX = 16;

/** How a host ended, when it could say so. */
export type HostEnd = 'clean' | 'keeper-lost' | 'failed' | 'crashed';

/** One host start. */
export interface StartRecord {
  /** Epoch ms. */
  readonly at: number;
  readonly pid: number;
  /** When it began serving clients; absent until then. */
  readonly readyAt?: number | undefined;
  /** How it ended; absent while it runs, or when it died without a word. */
  readonly end?: HostEnd | undefined;
  readonly reason?: string | undefined;
}

/** The starts of the host, oldest first, and whether the last host to take the lock refused to start. */
export interface StartHistory {
  readonly starts: readonly StartRecord[];
  /** When the breaker last refused a start; cleared by the next start it allows. */
  readonly refusedAt: number | null;
}

export const EMPTY_START_HISTORY: StartHistory = { starts: [], refusedAt: null };

/** The crash a start that is over counts as, or null when it is not one. */
export function crashOf(s: StartRecord): CountedCrash | null {
  if (s.end === 'failed' || s.end === 'crashed') return { at: s.at, pid: s.pid, how: s.end, ...(s.reason ? { reason: s.reason } : {}) };
  // Before it served, only a clean stop is not a crash (a keeper lost at once is a start that did not work).
  if (s.readyAt === undefined && s.end !== 'clean') return { at: s.at, pid: s.pid, how: 'never-ready' };
  return null;
}

/** The breaker's answer for a start at `now`. */
export type StartVerdict =
  | { readonly kind: 'start'; readonly recent: number }
  /** `crashes` oldest first; the breaker closes at `until` (epoch ms), when the oldest that keeps it open leaves the window. */
  | { readonly kind: 'open'; readonly crashes: readonly CountedCrash[]; readonly until: number; readonly windowMs: number };

/**
 * Whether a host may start at `now`. Every start in `h` must be over
 * (the caller holds the host lock, so no other host runs).
 */
export function startVerdict(h: StartHistory, now: number, policy: StartBreakerPolicy = HOST_START_BREAKER): StartVerdict {
  const crashes = h.starts
    .map(crashOf)
    .filter((c): c is CountedCrash => c !== null && c.at > now - policy.windowMs)
    .sort((a, b) => a.at - b.at);
  if (crashes.length < policy.maxCrashes) return { kind: 'start', recent: crashes.length };
  const keepsOpen = crashes[crashes.length - policy.maxCrashes]!;
  return { kind: 'open', crashes, until: keepsOpen.at + policy.windowMs, windowMs: policy.windowMs };
}

/**
 * The refusal a client should report at `now`, or null: the last host to
 * take the lock refused, and the breaker is still open. (A client cannot
 * judge the history itself: a host starting right now looks like one that
 * never came up.)
 */
export function standingRefusal(h: StartHistory, now: number, policy: StartBreakerPolicy = HOST_START_BREAKER): Extract<StartVerdict, { kind: 'open' }> | null {
  if (h.refusedAt === null) return null;
  const v = startVerdict(h, now, policy);
  return v.kind === 'open' ? v : null;
}

/** The reason of a start at or after `since` that failed, or null (a client that started a host reports it at once). */
export function failedStartSince(h: StartHistory, since: number): string | null {
  const last = h.starts.at(-1);
  return last && last.at >= since && last.end === 'failed' ? (last.reason ?? 'the PTY host could not start') : null;
}

/** The history with a new start; one started by hand forgets the crashes before it (the person is watching). */
export function withStart(h: StartHistory, start: StartRecord, byHand: boolean): StartHistory {
  return { starts: [...(byHand ? [] : h.starts), start].slice(-START_HISTORY_MAX), refusedAt: null };
}

/** The history with a refused start at `now`. */
export function withRefusal(h: StartHistory, now: number): StartHistory {
  return { ...h, refusedAt: now };
}

/** The history with the newest start of `pid` changed by `change`. */
export function withUpdate(h: StartHistory, pid: number, change: Pick<StartRecord, 'readyAt' | 'end' | 'reason'>): StartHistory {
  let i = h.starts.length - 1;
  while (i >= 0 && h.starts[i]!.pid !== pid) i--;
  if (i < 0) return h;
  const starts = [...h.starts];
  starts[i] = { ...starts[i]!, ...change };
  return { ...h, starts };
}

/** The one line a client shows when the breaker keeps the host down. */
export function refusalMessage(v: Extract<StartVerdict, { kind: 'open' }>, now: number, hostLog: string): string {
  const wait = Math.max(1, Math.ceil((v.until - now) / 1000));
  return `The PTY host failed ${v.crashes.length} times at start within ${v.windowMs / 1000} s, so it is not started again for ${wait} s (crash-loop breaker); see ${hostLog} for why, or run tsession pty-host in a terminal to start it by hand`;
}
