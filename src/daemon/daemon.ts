/**
 * `tsession --watch`: follow one tmux server and keep its checkpoints fresh.
 *
 * A control-mode client (sessions/tmux/event-feed.ts) reports every
 * structural change; a burst of them becomes one save (save-scheduler.ts),
 * and an interval save catches what tmux never notifies (cwds, jobs,
 * contents). Idle saves that would record the same sessions write nothing.
 * The feed's end is how a crash is noticed, at once, not by polling; with
 * `autoRestore`, the newest good checkpoint is restored, unless the crash
 * breaker is open. A missing or unanswering server is retried with backoff.
 * Health rounds journal what froze; with auto-unfreeze they also apply the
 * gentle rungs to a freeze that lasts (health-watch.ts). Every detection and
 * action goes to the journal.
 *
 * The daemon is a state machine, one method per state:
 *
 *   probing ─up─▶ attached ─feed ends─▶ ended ─crashed─▶ restoring ─▶ probing
 *      ▲  └down─┘                         │ reattach / ended / unclear ─▶ probing
 *      └──────────────────────────────────┘
 *   any state ─signal─▶ stopping ─▶ stopped
 *
 * A restore runs beside the machine, never in its way: the daemon goes on
 * probing and attaches to the server the restore brings up, so a crash of
 * that server is noticed at once even while a pane that stopped reading
 * holds the restore. Saves wait until the restore is over: a checkpoint
 * never records a half-restored server. A restore that brought sessions
 * back while the daemon was not attached is checked by the next probe: a
 * server gone by then crashed where no feed could see it, and is treated as
 * a crash (journaled, counted by the breaker, restored again). A restore
 * that fails for a reason that may pass is tried again after a growing
 * wait, each try spending the breaker's budget.
 */
import { count } from '../../checkpoints/words.js';
import { setTimeout as delay } from 'node:timers/promises';
import { openEventFeed, type EventFeed, type FeedEnd, type FeedEvent } from '../../sessions/tmux/event-feed.js';
import { pruneStaleNonces } from '../../sessions/shell-integration/nonce-store.js';
import type { Context } from '../context.js';
import { ConfigKeeper } from '../ops/config.js';
import { toUserError } from '../errors.js';
import { errorMessage } from '../../checkpoints/result.js';
import { EXIT } from '../exit-codes.js';
import { CrashBreaker, type BreakerPolicy } from './crash-breaker.js';
import { DepartureRecorder } from './departures.js';
import { autoUnfreezePolicy } from './auto-unfreeze.js';
import { watchHealth, type HealthWatch } from './health-watch.js';
import type { JournalEntry } from '../ops/journal.js';
import type { Report } from './report.js';
import { createSaveCallback } from './save-callback.js';
import { SaveScheduler, type SaveSchedule } from './save-scheduler.js';
import { classifyEnd, describeEnd, probeServer, type Probe } from './server-probe.js';
import { ShellFollower } from './shell-follower.js';
import { USE_CASES, type DaemonUseCases } from './use-cases.js';
import { tsessionCommand } from '../ops/command-words.js';

export { classifyEnd, describeEnd, type EndVerdict, type Probe } from './server-probe.js';
export type { Report } from './report.js';

export interface WatchSettings extends SaveSchedule {
  /** Restore the newest good checkpoint after a crash. */
  readonly autoRestore: boolean;
  /** Follow every pane's output for shell-integration markers (one more tmux client per session). */
  readonly markers: boolean;
  /** Time between health probe rounds while attached (0: none); frozen and recovered sessions are journaled. */
  readonly healthMs: number;
  /** `--auto-unfreeze`: the gentle rungs for every session; false: as the config's `watch.autoUnfreeze` says. */
  readonly autoUnfreeze: boolean;
  /** `--auto-unfreeze-after`: how long a freeze lasts before that, ms; null: the config's. */
  readonly autoUnfreezeAfterMs: number | null;
  /** How long a pane must ignore typed input before it counts as frozen; null: the prober's default. */
  readonly notReadingAfterMs: number | null;
  readonly breaker: BreakerPolicy;
  /** Waits before trying a failed automatic restore again: first, then doubled up to max. */
  readonly restoreRetryMs: { readonly first: number; readonly max: number };
  /** Tries of one crash's restore before the daemon gives up and says so (a failed try is not a crash: the breaker counts crashes). */
  readonly restoreTries: number;
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
  autoUnfreeze: false,
  autoUnfreezeAfterMs: null,
  notReadingAfterMs: null,
  breaker: { maxRestores: 3, windowMs: 10 * 60_000 },
  restoreRetryMs: { first: 1_000, max: 8_000 },
  restoreTries: 4,
  retryMs: { first: 250, max: 5_000 },
  probeTimeoutMs: 3_000,
};

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

/**
 * What every session's windows look like, re-evaluated by tmux once a
 * second for the event client: `%layout-change` reaches only clients of the
 * window's own session, so a split, a closed pane or a resize in any other
 * session is heard of only through this (TMUX-FACTS.md). Windows coming,
 * going and renamed in other sessions already arrive as `%unlinked-window-*`.
 */
export const LAYOUT_SUBSCRIPTION = {
  name: 'tsession-layouts',
  format: '#{S:#{session_id}#{W:#{window_id}#{window_layout}#{window_zoomed_flag}}}',
} as const;

/** After a feed's end, how often and how far apart the server is asked again while it is still exiting. */
const END_RECHECKS = 10;
const END_RECHECK_MS = 300;
/** A feed that lived this long starts the backoff over; one that ended sooner keeps backing off. */
const FEED_LIVED_MS = 1_000;

/** Follow the server until `signal` aborts; a final save is made then if the server is up. */
export async function watchServer(
  ctx: Context,
  settings: WatchSettings,
  signal: AbortSignal,
  report: Report,
  useCases: DaemonUseCases = USE_CASES,
): Promise<void> {
  // A bad file refuses the start (thrown); one that goes bad later keeps the
  // last good settings, and saves and restores go on with them.
  const keeper = await ConfigKeeper.start({ file: ctx.paths.configFile, homeDir: ctx.paths.home }, (change) =>
    report(
      change.kind === 'invalid'
        ? { kind: 'detected', what: 'config-invalid', detail: change.message, evidence: ['going on with the last good settings until the file validates'] }
        : { kind: 'detected', what: 'config-reloaded', detail: ctx.paths.configFile },
    ),
  );
  await new Watcher({ ...ctx, config: () => keeper.current() }, settings, signal, report, useCases).run();
}

type Up = Extract<Probe, { kind: 'up' }>;

/** One attachment to the server: its event feed and what runs while it lasts. */
interface Attachment {
  /** The server's pid when the feed began. */
  readonly pid: number;
  readonly feed: EventFeed;
  readonly health: HealthWatch;
  readonly attachedAt: number;
}

/** The daemon's states, each with exactly what it needs. */
type State =
  /** Asking the server until it is up with a session. */
  | { readonly kind: 'probing' }
  /** A control client follows the server; saves run. */
  | { readonly kind: 'attached'; readonly at: Attachment }
  /** The feed ended: the server is asked what that meant. */
  | { readonly kind: 'ended'; readonly pid: number; readonly end: FeedEnd }
  /** The server crashed (journaled): restore it unless the breaker is open. */
  | { readonly kind: 'restoring' }
  /** Asked to stop: the final save (only while attached), then let go of everything. */
  | { readonly kind: 'stopping'; readonly at: Attachment | null }
  | { readonly kind: 'stopped' };

/** Why the server was last reported as not there (journaled on change only); null: it is up. */
type Problem = 'down' | 'not-answering' | null;

/** Whether a failed restore may succeed when tried again: not without a checkpoint, nor for a request tsession itself got wrong. */
function retryable(e: unknown): boolean {
  const code = toUserError(e)?.exitCode;
  return code !== EXIT.noCheckpoint && code !== EXIT.usage && code !== EXIT.internal;
}

/** Pause `ms`, ending early (without throwing) when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch((e: unknown) => {
    if (!signal.aborted) throw e;
  });
}

class Watcher {
  private readonly scheduler: SaveScheduler;
  private readonly breaker: CrashBreaker;
  /** Resolves when the daemon is asked to stop (one listener for the whole watch). */
  private readonly aborted: Promise<'aborted'>;
  /** Pane output followers of the server `followedPid` (only with `markers`). */
  private follower: ShellFollower | null = null;
  private followedPid = 0;
  private problem: Problem = null;
  private retryDelay: number;
  /** The attachment saves may run for (null while not attached). */
  private attachment: Attachment | null = null;
  /** The restore under way, if any; saves wait for it. */
  private restore: Promise<void> | null = null;
  /** Aborted when a restore ends: a probe backing off tries again at once. */
  private restoreEnded = new AbortController();
  /**
   * The machine decided to attach since the running restore began: the
   * restored server's end, if it comes, is the feed's to see.
   */
  private attachedSinceRestore = false;
  /**
   * A restore brought sessions back while the daemon was not attached: until
   * it attaches, a server found gone is that restore's server crashing (a
   * crash no feed could see), not a server that was simply down.
   */
  private awaitingRestored = false;
  /** Numbers the session lists asked for the follower, so an older one that answers late never undoes a newer one. */
  private listSeq = 0;
  /** Why sessions left (closed, renamed, server ended or crashed), from the notifications. */
  private readonly departures: DepartureRecorder;

  constructor(
    private readonly ctx: Context,
    private readonly settings: WatchSettings,
    private readonly signal: AbortSignal,
    private readonly report: Report,
    private readonly useCases: DaemonUseCases,
  ) {
    this.retryDelay = settings.retryMs.first;
    this.departures = new DepartureRecorder(ctx, report);
    this.breaker = new CrashBreaker(settings.breaker);
    const save = createSaveCallback(ctx, report, () => this.follower?.panes ?? null, useCases.save);
    this.scheduler = new SaveScheduler(settings, (causes) => {
      // Nonce files of shells killed without cleaning up are swept as the interval passes.
      if (causes.includes('interval')) this.pruneNonces();
      return save(causes);
    });
    this.aborted = new Promise((resolve) => {
      if (signal.aborted) resolve('aborted');
      else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
  }

  async run(): Promise<void> {
    this.pruneNonces();
    let state: State = { kind: 'probing' };
    try {
      while (state.kind !== 'stopped') state = await this.step(state);
    } finally {
      // Reached by a throw too (tmux not installed): let go of every client.
      await this.attachment?.feed.close();
      await this.scheduler.stop();
      await this.follower?.close();
    }
  }

  private step(state: State): Promise<State> | State {
    if (state.kind === 'stopping') return this.stopping(state.at);
    if (state.kind === 'stopped') return state;
    // Asked to stop: whatever the machine was doing next is not started.
    if (this.signal.aborted) return { kind: 'stopping', at: state.kind === 'attached' ? state.at : null };
    switch (state.kind) {
      case 'probing':
        return this.probing();
      case 'attached':
        return this.attached(state.at);
      case 'ended':
        return this.ended(state.pid, state.end);
      case 'restoring':
        return this.restoring();
    }
  }

  /** probing → attached once the server is up with a session; else report (on change), back off, probe again. */
  private async probing(): Promise<State> {
    // Only a probe begun after the restore ended speaks of the restored server.
    const awaiting = this.awaitingRestored;
    const found = await probeServer(this.ctx, this.settings.probeTimeoutMs);
    if (awaiting && this.awaitingRestored && found.kind === 'down') {
      this.awaitingRestored = false;
      this.report({
        kind: 'detected',
        what: 'server-crashed',
        evidence: ['the server a restore just brought back is gone before the daemon attached to it', found.message],
      });
      this.problem = 'down';
      return { kind: 'restoring' };
    }
    if (found.kind !== 'up' || found.sessionIds.length === 0) {
      const kind = found.kind === 'up' ? 'down' : found.kind;
      if (kind !== this.problem) {
        const what = kind === 'down' ? 'server-down' : 'server-not-answering';
        this.report({ kind: 'detected', what, evidence: [found.kind === 'up' ? 'the server has no session' : found.message] });
      }
      this.problem = kind;
      await this.backOff();
      return { kind: 'probing' };
    }
    if (this.problem !== null) this.report({ kind: 'detected', what: 'server-up', detail: count(found.sessionIds.length, 'session') });
    this.problem = null;
    this.attachedSinceRestore = true;
    this.awaitingRestored = false;
    return { kind: 'attached', at: await this.attach(found) };
  }

  /** Open the event feed (and the pane followers, health rounds) on the server the probe found; save at once. */
  private async attach(found: Up): Promise<Attachment> {
    const attachedAt = performance.now();
    // The same server as before (our client was only let go): its panes' trackers carry on.
    if (this.follower && this.followedPid !== found.pid) {
      await this.follower.close();
      this.follower = null;
    }
    if (this.settings.markers && !this.follower) this.follower = new ShellFollower(this.ctx.server, this.ctx.env);
    this.followedPid = found.pid;
    this.follower?.follow(found.sessionIds);
    const feed = openEventFeed(this.ctx.server, found.sessionIds[0]!, (e) => this.notified(e), this.ctx.env, undefined, [LAYOUT_SUBSCRIPTION]);
    // Sessions made between the probe and the attach sent no notification to this client.
    this.refollow();
    void this.departures.refresh();
    const { autoUnfreeze, autoUnfreezeAfterMs, notReadingAfterMs } = this.settings;
    const health = watchHealth(
      this.ctx,
      {
        everyMs: this.settings.healthMs,
        autoUnfreeze: async () => autoUnfreezePolicy(autoUnfreeze, autoUnfreezeAfterMs, (await this.ctx.config()).watch),
        ...(notReadingAfterMs !== null ? { notReadingAfterMs } : {}),
      },
      this.report,
    );
    this.attachment = { pid: found.pid, feed, health, attachedAt };
    this.pruneNonces();
    if (!this.restore) this.startSaving();
    return this.attachment;
  }

  /** attached → ended when the feed ends, → stopping when asked to stop. */
  private async attached(at: Attachment): Promise<State> {
    const end = await Promise.race([at.feed.ended, this.aborted]);
    await at.health.stop();
    // Stopping: a final save, unless the server is what just went away.
    if (end === 'aborted') return { kind: 'stopping', at };
    this.attachment = null;
    await this.scheduler.pause();
    if (performance.now() - at.attachedAt > FEED_LIVED_MS) this.retryDelay = this.settings.retryMs.first;
    return { kind: 'ended', pid: at.pid, end };
  }

  /** ended → what the server did: reattach (probing), a normal end or an unclear one (probing, journaled), or a crash (restoring). */
  private async ended(pid: number, end: FeedEnd): Promise<State> {
    let after = await probeServer(this.ctx, this.settings.probeTimeoutMs);
    let verdict = classifyEnd(end, after, pid);
    for (let i = 0; verdict === 'recheck' && i < END_RECHECKS && !this.signal.aborted; i++) {
      await pause(END_RECHECK_MS, this.signal);
      after = await probeServer(this.ctx, this.settings.probeTimeoutMs);
      verdict = classifyEnd(end, after, pid);
    }
    if (this.signal.aborted) return { kind: 'stopping', at: null };
    if (verdict === 'reattach') {
      await this.backOff();
      return { kind: 'probing' };
    }
    // Any other end: the server the trackers followed is gone or going.
    await this.follower?.close();
    this.follower = null;
    const evidence = [describeEnd(end), after.kind === 'up' ? `the server answers (pid ${after.pid}, was ${pid})` : after.message];
    if (verdict === 'ended' || verdict === 'crashed') void this.departures.serverGone(verdict === 'ended' ? 'server-ended' : 'crashed');
    if (verdict === 'ended') {
      this.report({ kind: 'detected', what: 'server-ended', evidence: [...evidence, 'a normal end (kill-server or the last session closed): nothing restored'] });
      this.problem = 'down';
      return { kind: 'probing' };
    }
    if (verdict === 'recheck') {
      this.report({ kind: 'detected', what: 'server-not-answering', evidence });
      this.problem = 'not-answering';
      return { kind: 'probing' };
    }
    this.report({ kind: 'detected', what: 'server-crashed', evidence });
    this.problem = after.kind === 'up' ? null : 'down';
    return this.settings.autoRestore ? { kind: 'restoring' } : { kind: 'probing' };
  }

  /** restoring → probing at once: the restore runs beside the machine (after any restore still under way). */
  private restoring(): State {
    const breakerSays = this.breaker.crashed(Date.now());
    if (breakerSays.kind === 'open') {
      this.report({
        kind: 'detected',
        what: 'restore-breaker-open',
        evidence: [`${breakerSays.recent} crashes within ${Math.round(breakerSays.sinceMs / 1000)} s (limit ${this.settings.breaker.maxRestores})`],
        detail: `left down; run \`${tsessionCommand(this.ctx, 'restore')}\` by hand`,
      });
      return { kind: 'probing' };
    }
    const cause = `server crashed (${breakerSays.recent} within the breaker window)`;
    const task: Promise<void> = (this.restore ?? Promise.resolve())
      .then(() => this.restoreNewest(cause, () => this.restore === task))
      .then((restored) => {
        // Checked by the machine's next probe (the end of the restore cuts its wait short).
        if (restored && this.restore === task && !this.attachment && !this.attachedSinceRestore) this.awaitingRestored = true;
      })
      .finally(() => {
        if (this.restore !== task) return; // another crash queued a restore behind this one
        this.restore = null;
        this.restoreEnded.abort();
        this.restoreEnded = new AbortController();
        if (this.attachment && !this.signal.aborted) this.startSaving();
      });
    this.restore = task;
    return { kind: 'probing' };
  }

  /** stopping → stopped: wait for a restore under way, make the final save while attached, let go. */
  private async stopping(at: Attachment | null): Promise<State> {
    await at?.health.stop();
    await this.restore;
    if (at) {
      // Saves were held while a restore ran: the last one is over now.
      this.scheduler.start();
      await this.scheduler.saveNow('watch stopping');
    }
    return { kind: 'stopped' };
  }

  /**
   * Restore every session of the newest good checkpoint that is not running
   * (each try journaled by the op); whether any came back. A try that fails
   * for a reason that may pass (tmux timing out under load, a rolled-back
   * build) is tried again after a growing wait, up to `restoreTries` tries;
   * not once the daemon stops or a newer crash queued its own restore
   * (`current` turns false). A failed try is not a crash: the breaker counts
   * servers that died, so a slow machine's rolled-back try cannot leave the
   * next real crash unrestored.
   */
  private async restoreNewest(cause: string, current: () => boolean): Promise<boolean> {
    // The op journals the restore (or its failure) through the daemon's report,
    // which owns the journal file and says once when it cannot write it.
    const journal = async (entries: readonly Omit<JournalEntry, 'at'>[]) => {
      for (const e of entries) this.report(e);
      return null;
    };
    let wait = this.settings.restoreRetryMs.first;
    for (let attempt = 1; ; attempt++) {
      this.attachedSinceRestore = false;
      const tryCause = attempt === 1 ? cause : `${cause}; try ${attempt}, ${wait / 1000} s after a failed one`;
      const failure = await this.useCases.restoreNewest(this.ctx, { cause: tryCause, journal }).then(
        (outcome) => ({ restored: outcome.result.restored.length > 0 }),
        (e: unknown) => ({ error: e }), // journaled by the op
      );
      if ('restored' in failure) return failure.restored;
      if (!retryable(failure.error) || this.signal.aborted || !current()) return false;
      if (attempt >= this.settings.restoreTries) {
        this.report({
          kind: 'detected',
          what: 'restore-gave-up',
          evidence: [`${attempt} tries failed, the last: ${toUserError(failure.error)?.message ?? errorMessage(failure.error)}`],
          detail: `left down; run \`${tsessionCommand(this.ctx, 'restore')}\` by hand`,
        });
        return false;
      }
      if (attempt > 1) wait = Math.min(wait * 2, this.settings.restoreRetryMs.max);
      await pause(wait, this.signal);
      if (this.signal.aborted || !current()) return false;
    }
  }

  /** Saves (interval and notified) run from now on, starting with one at once. */
  private startSaving(): void {
    this.scheduler.start();
    void this.scheduler.saveNow('watch attached');
  }

  private notified(e: FeedEvent): void {
    if (SAVE_TRIGGERS.has(e.type)) this.scheduler.poke(e.type);
    // tmux already waited up to a second to send it (its subscription tick):
    // saved at once, so a change anywhere reaches a checkpoint within the quiet time.
    if (e.type === 'notification' && e.name === 'subscription-changed' && e.args.startsWith(`${LAYOUT_SUBSCRIPTION.name} `)) {
      void this.scheduler.saveNow('layout-change (any session)');
    }
    // A session came or went: follow exactly the sessions there are now.
    if (e.type === 'sessions-changed') this.refollow();
    if (e.type === 'sessions-changed' || e.type === 'session-renamed') void this.departures.refresh();
  }

  private refollow(): void {
    const shells = this.follower;
    if (!shells) return;
    const seq = ++this.listSeq;
    void probeServer(this.ctx, this.settings.probeTimeoutMs).then(
      (p) => {
        if (seq === this.listSeq && p.kind === 'up') shells.follow(p.sessionIds);
      },
      () => {}, // tmux itself failing: the next save says so
    );
  }

  /** Wait before the next probe, doubling up to the maximum; a restore that ends cuts the wait short. */
  private async backOff(): Promise<void> {
    await pause(this.retryDelay, AbortSignal.any([this.signal, this.restoreEnded.signal]));
    this.retryDelay = Math.min(this.retryDelay * 2, this.settings.retryMs.max);
  }

  /** Remove the nonce files of shells that are gone (killed shells cannot remove their own). */
  private pruneNonces(): void {
    try {
      pruneStaleNonces(this.ctx.env);
    } catch {
      // Housekeeping only: a runtime directory that cannot be read holds no nonce anyone will trust either.
    }
  }
}
