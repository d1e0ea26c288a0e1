/**
 * `tsession --watch`: follow one tmux server and keep its checkpoints fresh.
 *
 * A control-mode client (sessions/event-feed.ts) reports every structural
 * change; a burst of them becomes one save (save-scheduler.ts), and an
 * interval save catches what tmux never notifies (cwds, jobs, contents).
 * Idle saves that would record the same sessions write nothing. The feed's
 * end is how a crash is noticed, at once, not by polling; with
 * `autoRestore`, the newest good checkpoint is restored, unless the crash
 * breaker is open. A missing or unanswering server is retried with backoff.
 * Every detection and action goes to the journal.
 */
import { endIsCrash, openEventFeed, type EventFeed, type FeedEnd, type FeedEvent } from '../../sessions/tmux/event-feed.js';
import { ShellFollower, type PaneRef } from './shell-follower.js';
import { healthChanges } from './health-changes.js';
import { classify } from '../../sessions/health/classify.js';
import { createProber } from '../../sessions/health/probes.js';
import { runTmux } from '../../sessions/tmux/client.js';
import { TmuxError } from '../../sessions/tmux/errors.js';
import { saveCheckpoint } from '../ops/save.js';
import { restoreNewest as restoreNewestGood } from '../ops/restore.js';
import type { Context } from '../context.js';
import { toUserError } from '../errors.js';
import { CrashBreaker, type BreakerPolicy } from './crash-breaker.js';
import type { JournalEntry } from '../ops/journal.js';
import { SaveScheduler, type SaveSchedule } from './save-scheduler.js';

export interface WatchSettings extends SaveSchedule {
  /** Restore the newest good checkpoint after a crash. */
  readonly autoRestore: boolean;
  /** Follow every pane's output for shell-integration markers (one more tmux client per session). */
  readonly markers: boolean;
  /** Time between health probe rounds while attached (0: none); frozen and recovered sessions are journaled. */
  readonly healthMs: number;
  readonly breaker: BreakerPolicy;
  /** Waits between attempts to reach a missing or unanswering server: first, then doubled up to max. */
  readonly retryMs: { readonly first: number; readonly max: number };
  /** Timeout of the daemon's own probe of the server. */
  readonly probeTimeoutMs: number;
}

export const DEFAULT_WATCH_SETTINGS: WatchSettings = {
  quietMs: 1_000,
  maxWaitMs: 5_000,
  intervalMs: 60_000,
  autoRestore: false,
  markers: false,
  healthMs: 10_000,
  breaker: { maxRestores: 3, windowMs: 10 * 60_000 },
  retryMs: { first: 250, max: 5_000 },
  probeTimeoutMs: 3_000,
};

/** Where journal entries go (the journal file and the log). */
export type Report = (entry: Omit<JournalEntry, 'at'>) => void;

/** What a probe of the server found. */
export type Probe =
  | { readonly kind: 'up'; readonly pid: number; readonly sessionIds: readonly string[] }
  | { readonly kind: 'down'; readonly message: string }
  | { readonly kind: 'not-answering'; readonly message: string };

async function probe(ctx: Context, timeoutMs: number): Promise<Probe> {
  try {
    const out = await runTmux(ctx.server, [['list-sessions', '-F', '#{pid} #{session_id}']], { env: ctx.env, timeoutMs });
    const lines = out.stdout.toString('latin1').split('\n').filter(Boolean);
    return { kind: 'up', pid: Number(lines[0]?.split(' ')[0] ?? 0), sessionIds: lines.map((l) => l.slice(l.indexOf(' ') + 1)) };
  } catch (e) {
    if (!(e instanceof TmuxError)) throw e;
    if (e.kind === 'no-server') return { kind: 'down', message: e.message };
    if (e.kind === 'timeout' || e.kind === 'refused') return { kind: 'not-answering', message: e.message };
    throw e; // not installed, no access: nothing a retry can fix
  }
}

/** What the end of the event feed means, from how it ended and a probe of the server after it. */
export type EndVerdict =
  /** The server lives on (our session closed, our client was let go or killed): attach again. */
  | 'reattach'
  /** A normal end (kill-server, the last session closed): nothing to restore. */
  | 'ended'
  /** The server died, or a new server runs under the socket. */
  | 'crashed'
  /** Not clear yet: a server that is exiting refuses new clients until its own clients have gone. */
  | 'recheck';

/** Decide what a feed's end means; `pidAtAttach` is the server's pid when the feed began. */
export function classifyEnd(end: FeedEnd, after: Probe, pidAtAttach: number): EndVerdict {
  if (!endIsCrash(end)) {
    // tmux said %exit without "server exited unexpectedly": never a crash.
    return after.kind === 'up' ? 'reattach' : after.kind === 'down' ? 'ended' : 'recheck';
  }
  if (after.kind === 'up') return after.pid === pidAtAttach ? 'reattach' : 'crashed';
  return after.kind === 'down' ? 'crashed' : 'recheck';
}

/** One line saying how the control client's feed ended. */
export function describeEnd(end: FeedEnd): string {
  if (end.kind === 'exit') return end.reason ? `control client: %exit ${end.reason}` : 'control client: %exit';
  return `control client ended without %exit (code ${end.code ?? 'none'})${end.stderr ? `: ${end.stderr.split('\n')[0]}` : ''}`;
}

/**
 * Notifications that change what a checkpoint records. Left out: this
 * client's own `%session-changed` (sent on attach), other clients switching
 * (`%client-*`), paste buffers, pane modes and flow control.
 */
export const SAVE_TRIGGERS: ReadonlySet<string> = new Set([
  'sessions-changed',
  'session-renamed',
  'session-window-changed',
  'window-add',
  'window-close',
  'unlinked-window-add',
  'unlinked-window-close',
  'window-renamed',
  'unlinked-window-renamed',
  'window-pane-changed',
  'layout-change',
]);

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const errorLine = (e: unknown): string => toUserError(e)?.message ?? (e instanceof Error ? e.message : String(e));

/** Follow the server until `signal` aborts; a final save is made then if the server is up. */
export async function watchServer(ctx: Context, settings: WatchSettings, signal: AbortSignal, report: Report): Promise<void> {
  let fingerprint: string | undefined;
  let lastSkip: string | null = null;
  let follower: ShellFollower | null = null;
  let followedPid = 0;
  const scheduler = new SaveScheduler(settings, async (causes) => {
    const t0 = performance.now();
    let seen: string | undefined;
    try {
      const shells = follower;
      const panesSeen = new Set<string>();
      const r = await saveCheckpoint(ctx, {
        ...(fingerprint !== undefined ? { unlessFingerprint: fingerprint } : {}),
        onFingerprint: (f) => (seen = f),
        ...(shells
          ? {
              lastCommandOf: (pane: PaneRef) => {
                panesSeen.add(pane.id);
                return shells.lastCommand(pane);
              },
            }
          : {}),
      });
      // The save saw every pane there is: trackers of the others can go.
      if (shells && panesSeen.size) shells.keepOnly(panesSeen);
      const durationMs = performance.now() - t0;
      if (r.kind === 'unchanged') return;
      if (r.kind === 'skipped') {
        // Said once per reason: an idle server with only a start-up shell would say it every interval.
        if (r.reason !== lastSkip) report({ kind: 'action', what: 'save', cause: causes.join(', '), result: 'skipped', detail: r.reason, durationMs });
        lastSkip = r.reason;
        return;
      }
      fingerprint = seen;
      lastSkip = null;
      report({
        kind: 'action',
        what: 'save',
        cause: causes.join(', '),
        result: 'ok',
        detail: `${r.id} (${r.sessions} session(s), ${r.panes} pane(s))`,
        durationMs,
      });
    } catch (e) {
      report({ kind: 'action', what: 'save', cause: causes.join(', '), result: 'failed', detail: errorLine(e), durationMs: performance.now() - t0 });
    }
  });
  const breaker = new CrashBreaker(settings.breaker);
  let problem: Probe['kind'] | null = null;
  let delay = settings.retryMs.first;
  const backOff = async () => {
    await sleep(delay, signal);
    delay = Math.min(delay * 2, settings.retryMs.max);
  };
  // One listener for the whole watch (not one per attach).
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  let feed: EventFeed | null = null;
  try {
    while (!signal.aborted) {
      const found = await probe(ctx, settings.probeTimeoutMs);
      if (found.kind !== 'up' || found.sessionIds.length === 0) {
        const kind = found.kind === 'up' ? 'down' : found.kind;
        if (kind !== problem) {
          const what = kind === 'down' ? 'server-down' : 'server-not-answering';
          report({ kind: 'detected', what, evidence: [found.kind === 'up' ? 'the server has no session' : found.message] });
        }
        problem = kind;
        await backOff();
        continue;
      }
      if (problem !== null) report({ kind: 'detected', what: 'server-up', detail: `${found.sessionIds.length} session(s)` });
      problem = null;
      const attachedAt = performance.now();
      // The same server as before (our client was only let go): its panes' trackers carry on.
      if (follower && followedPid !== found.pid) {
        await follower.close();
        follower = null;
      }
      if (settings.markers && !follower) follower = new ShellFollower(ctx.server, ctx.env);
      followedPid = found.pid;
      follower?.follow(found.sessionIds);
      // A session came or went: follow exactly the sessions there are now. Lists are
      // numbered so an older one that answers late never undoes a newer one.
      let listSeq = 0;
      const refollow = () => {
        const shells = follower;
        if (!shells) return;
        const seq = ++listSeq;
        void probe(ctx, settings.probeTimeoutMs).then((p) => {
          if (seq === listSeq && p.kind === 'up') shells.follow(p.sessionIds);
        });
      };
      const onEvent = (e: FeedEvent) => {
        if (SAVE_TRIGGERS.has(e.type)) scheduler.poke(e.type);
        if (e.type === 'sessions-changed') refollow();
      };
      feed = openEventFeed(ctx.server, found.sessionIds[0]!, onEvent, ctx.env);
      // Sessions made between the probe and the attach sent no notification to this client.
      refollow();
      const health = settings.healthMs > 0 ? watchHealth(ctx, settings.healthMs, report) : null;
      scheduler.start();
      void scheduler.saveNow('watch attached');
      const end = await Promise.race([feed.ended, aborted]);
      await health?.stop();
      if (signal.aborted) {
        // Stopping: a final save, unless the server is what just went away.
        if (end === 'aborted') await scheduler.saveNow('watch stopping');
        break;
      }
      const ended = end as FeedEnd;
      feed = null;
      await scheduler.pause();
      // A feed that lived a while starts the backoff over; one that ended at once keeps backing off.
      if (performance.now() - attachedAt > 1_000) delay = settings.retryMs.first;
      let after = await probe(ctx, settings.probeTimeoutMs);
      let verdict = classifyEnd(ended, after, found.pid);
      for (let i = 0; verdict === 'recheck' && i < END_RECHECKS && !signal.aborted; i++) {
        await sleep(END_RECHECK_MS, signal);
        after = await probe(ctx, settings.probeTimeoutMs);
        verdict = classifyEnd(ended, after, found.pid);
      }
      if (signal.aborted) break;
      const evidence = [describeEnd(ended), after.kind === 'up' ? `the server answers (pid ${after.pid}, was ${found.pid})` : after.message];
      if (verdict === 'reattach') {
        await backOff();
        continue;
      }
      // Any other end: the server the trackers followed is gone or going.
      await follower?.close();
      follower = null;
      if (verdict === 'ended') {
        report({ kind: 'detected', what: 'server-ended', evidence: [...evidence, 'a normal end (kill-server or the last session closed): nothing restored'] });
        problem = 'down';
        continue;
      }
      if (verdict === 'recheck') {
        report({ kind: 'detected', what: 'server-not-answering', evidence });
        problem = 'not-answering';
        continue;
      }
      report({ kind: 'detected', what: 'server-crashed', evidence });
      problem = after.kind === 'up' ? null : 'down';
      if (!settings.autoRestore) continue;
      const breakerSays = breaker.crashed(Date.now());
      if (breakerSays.kind === 'open') {
        report({
          kind: 'detected',
          what: 'restore-breaker-open',
          evidence: [`${breakerSays.recent} crashes within ${Math.round(breakerSays.sinceMs / 1000)} s (limit ${settings.breaker.maxRestores})`],
          detail: 'left down; run `tsession restore` by hand',
        });
        continue;
      }
      await restoreNewest(ctx, report, `server crashed (${breakerSays.recent} within the breaker window)`);
    }
  } finally {
    await feed?.close();
    await scheduler.stop();
    await follower?.close();
  }
}

/**
 * Probe the server's health every `everyMs` (the same prober and classifier
 * as the interface) and journal what froze or recovered. Rounds never
 * overlap; `stop` waits for the round under way.
 */
function watchHealth(ctx: Context, everyMs: number, report: Report): { stop(): Promise<void> } {
  const prober = createProber(ctx.server, { env: ctx.env });
  let frozen: ReadonlySet<string> = new Set();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  const tick = () => {
    round = prober
      .round()
      .then((obs) => {
        if (stopped) return;
        // A round whose layout is not fresh (slow, refused) saw no pane: it proves nothing about sessions.
        const changes = healthChanges(frozen, classify(obs, new Map()), obs.liveIsFresh);
        frozen = changes.frozen;
        for (const entry of changes.entries) report(entry);
      })
      .catch(() => {}) // a failed round is a missing round; saves report tmux failures
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, everyMs);
      });
  };
  timer = setTimeout(tick, everyMs);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      return round;
    },
  };
}

/** After a feed's end, how often and how far apart the server is asked again while it is still exiting. */
const END_RECHECKS = 10;
const END_RECHECK_MS = 300;

/** Restore every session of the newest good checkpoint that is not running, and journal it. */
async function restoreNewest(ctx: Context, report: Report, cause: string): Promise<void> {
  // The op journals the restore (or its failure) through the daemon's report.
  const journal = async (entries: readonly Omit<JournalEntry, 'at'>[]) => {
    for (const e of entries) report(e);
    return null; // the report owns the journal file and says once when it cannot write it
  };
  await restoreNewestGood(ctx, { cause, journal }).catch(() => {});
}
