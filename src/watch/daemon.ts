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
import { restoreSessions } from '../../sessions/restore.js';
import { endIsCrash, openEventFeed, type FeedEnd } from '../../sessions/event-feed.js';
import { runTmux, TmuxError } from '../../sessions/tmux.js';
import { saveCheckpoint } from '../commands/save.js';
import { blobReader, pickCheckpoint } from '../commands/shared.js';
import type { Context } from '../context.js';
import { toUserError } from '../errors.js';
import { CrashBreaker, type BreakerPolicy } from './crash-breaker.js';
import type { JournalEntry } from './journal.js';
import { SaveScheduler, type SaveSchedule } from './save-scheduler.js';

export interface WatchSettings extends SaveSchedule {
  /** Restore the newest good checkpoint after a crash. */
  readonly autoRestore: boolean;
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
  breaker: { maxRestores: 3, windowMs: 10 * 60_000 },
  retryMs: { first: 250, max: 5_000 },
  probeTimeoutMs: 3_000,
};

/** Where journal entries go (the journal file and the log). */
export type Report = (entry: Omit<JournalEntry, 'at'>) => void;

/** What a probe of the server found. */
type Probe =
  | { readonly kind: 'up'; readonly sessionIds: readonly string[] }
  | { readonly kind: 'down'; readonly message: string }
  | { readonly kind: 'not-answering'; readonly message: string };

async function probe(ctx: Context, timeoutMs: number): Promise<Probe> {
  try {
    const out = await runTmux(ctx.server, [['list-sessions', '-F', '#{session_id}']], { env: ctx.env, timeoutMs });
    return { kind: 'up', sessionIds: out.stdout.toString('latin1').split('\n').filter(Boolean) };
  } catch (e) {
    if (!(e instanceof TmuxError)) throw e;
    if (e.kind === 'no-server') return { kind: 'down', message: e.message };
    if (e.kind === 'timeout' || e.kind === 'refused') return { kind: 'not-answering', message: e.message };
    throw e; // not installed, no access: nothing a retry can fix
  }
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
  const scheduler = new SaveScheduler(settings, async (causes) => {
    const t0 = performance.now();
    let seen: string | undefined;
    try {
      const r = await saveCheckpoint(ctx, {
        ...(fingerprint !== undefined ? { unlessFingerprint: fingerprint } : {}),
        onFingerprint: (f) => (seen = f),
      });
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
    const feed = openEventFeed(ctx.server, found.sessionIds[0]!, (e) => SAVE_TRIGGERS.has(e.type) && scheduler.poke(e.type), ctx.env);
    void scheduler.saveNow('watch attached');
    scheduler.start();
    const aborted = new Promise<'aborted'>((resolve) => {
      if (signal.aborted) resolve('aborted');
      signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    const end = await Promise.race([feed.ended, aborted]);
    if (end === 'aborted') {
      await scheduler.saveNow('watch stopping');
      await feed.close();
      break;
    }
    scheduler.pause();
    // A feed that ends within a second (its session closed as we attached) backs off; a long one starts over.
    if (performance.now() - attachedAt > 1_000) delay = settings.retryMs.first;
    const after = await probe(ctx, settings.probeTimeoutMs);
    if (after.kind === 'up' && !endIsCrash(end)) {
      // Our session closed or our client was let go; the server lives on: attach again.
      await backOff();
      continue;
    }
    const evidence = [describeEnd(end), after.kind === 'up' ? 'the server answers again' : after.message];
    if (!endIsCrash(end) && after.kind === 'down') {
      report({ kind: 'detected', what: 'server-ended', evidence: [...evidence, 'a normal end (kill-server or the last session closed): nothing restored'] });
      problem = 'down';
      continue;
    }
    report({ kind: 'detected', what: 'server-crashed', evidence });
    problem = after.kind === 'up' ? null : 'down';
    if (!settings.autoRestore) continue;
    const verdict = breaker.crashed(Date.now());
    if (verdict.kind === 'open') {
      report({
        kind: 'detected',
        what: 'restore-breaker-open',
        evidence: [`${verdict.recent} crashes within ${Math.round(verdict.sinceMs / 1000)} s (limit ${settings.breaker.maxRestores})`],
        detail: 'left down; run `tsession restore` by hand',
      });
      continue;
    }
    await restoreNewest(ctx, report, `server crashed (${verdict.recent} within the breaker window)`);
  }
  await scheduler.stop();
}

/** Restore every session of the newest good checkpoint that is not running. */
async function restoreNewest(ctx: Context, report: Report, cause: string): Promise<void> {
  const t0 = performance.now();
  try {
    const [config, store] = await Promise.all([ctx.config(), ctx.store()]);
    const { checkpoint } = await pickCheckpoint(ctx, undefined);
    const result = await restoreSessions({
      server: ctx.server,
      checkpoint: checkpoint.body,
      sessions: [],
      replace: false,
      noCommands: false,
      dryRun: false,
      rules: config.rerun.allowlist,
      readBlob: blobReader(store),
      env: ctx.env,
    });
    report({
      kind: 'action',
      what: 'restore',
      cause,
      result: result.restored.length ? 'ok' : 'skipped',
      detail: `${result.restored.map((r) => r.name).join(', ') || 'nothing'} from ${checkpoint.body.id}`,
      evidence: [...result.skipped.map((s) => `skipped ${s.name}: ${s.reason}`), ...result.notes],
      durationMs: performance.now() - t0,
    });
  } catch (e) {
    report({ kind: 'action', what: 'restore', cause, result: 'failed', detail: errorLine(e), durationMs: performance.now() - t0 });
  }
}
