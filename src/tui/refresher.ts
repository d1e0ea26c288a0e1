/**
 * What a refresh does, without any UI: a bounded probe round, the checkpoint
 * index, the newest checkpoint of each session (read once, cached), and the
 * classification — one Snapshot. Used in a worker thread (refresh-worker.ts)
 * so that spawning tmux and reading /proc never hold up a key, and in the
 * main thread for the quick first look.
 */
import { errorMessage } from '../../checkpoints/result.js';
import type { CheckpointBody } from '../../checkpoints/schema.js';
import type { CheckpointEntry, CheckpointStore } from '../../checkpoints/store.js';
import { classify, type Observation, type SavedSession, type ServerFacts } from '../../sessions/health/classify.js';
import { readLayout } from '../../sessions/tmux/layout-read.js';
import { createProber, PROBE_LIMITS, readProcFacts, type Prober } from '../../sessions/health/probes.js';
import { TmuxError } from '../../sessions/tmux/errors.js';
import type { Context } from '../context.js';
import type { Snapshot } from './model.js';
import { currentHolder } from '../../checkpoints/lock.js';
import { ptyStoreDir, watchLockFile } from '../../checkpoints/paths.js';
import { PROC_IDENTITY } from '../../sessions/proc/liveness.js';
import { loadDepartures, rememberedSessions } from '../ops/departures.js';
import { mergeJournals, readJournalTail, type JournalEntry } from '../ops/journal.js';
import { daemonTrouble, troublePhrase } from '../ops/status.js';

/** The daemon's trouble, when this refresh read the journal. */
const troubleOf = (journal: readonly JournalEntry[] | null): { trouble?: string } => {
  const phrase = journal ? troublePhrase(daemonTrouble(journal)) : null;
  return phrase ? { trouble: phrase } : {};
};

/** Journal entries the interface shows. */
const JOURNAL_SHOWN = 100;

/** Tunables of a refresher. */
export interface RefresherOptions {
  readonly probeTimeoutMs?: number;
  readonly notReadingAfterMs?: number;
}

/** Bounds of the quick first look. */
export const QUICK_LIMITS = {
  /** A frozen server must not delay the first frame. */
  timeoutMs: 400,
  /**
   * How long the first frame waits for the checkpoint index once the layout
   * is in (a stale index is rebuilt from every file): later, the first
   * refresh brings the checkpoints.
   */
  indexGraceMs: 150,
} as const;

/** A checkpoint body, or why it could not be read. */
export type BodyResult = { readonly ok: true; readonly body: CheckpointBody } | { readonly ok: false; readonly message: string };

/** Refreshes of one server and store. */
export interface Refresher {
  /** Forget a cached body (the checkpoint was deleted). */
  forget(id: string): void;
  /** One full probe round and classification. */
  refresh(): Promise<Snapshot>;
  /** The layout alone (one tmux call, short timeout) and the index: the first frame. */
  quick(): Promise<Snapshot>;
  /** A checkpoint's body, cached. */
  checkpoint(id: string): Promise<BodyResult>;
  readonly prober: Prober;
}

/** A refresher for the server and store of `ctx`. */
export function createRefresher(ctx: Context, opts: RefresherOptions = {}): Refresher {
  const prober = createProber(ctx.server, {
    env: ctx.env,
    timeoutMs: opts.probeTimeoutMs ?? PROBE_LIMITS.serverTimeoutMs,
    ...(opts.notReadingAfterMs !== undefined ? { notReadingAfterMs: opts.notReadingAfterMs } : {}),
  });
  const bodies = new Map<string, Promise<BodyResult>>();
  const store = (): Promise<CheckpointStore> => ctx.store();

  const checkpoint = (id: string): Promise<BodyResult> => {
    let p = bodies.get(id);
    if (!p) {
      p = store().then(async (s) => {
        const r = await s.read(id);
        return r.ok ? ({ ok: true, body: r.value.body } as const) : ({ ok: false, message: r.error.message } as const);
      });
      bodies.set(id, p);
      // A failed read may succeed later (a file being written): do not cache it.
      void p.then((r) => {
        if (!r.ok) bodies.delete(id);
      });
    }
    return p;
  };

  const listCheckpoints = async (): Promise<{ entries: CheckpointEntry[]; problem: string | null }> => {
    try {
      const r = await (await store()).list();
      return r.ok ? { entries: r.value, problem: null } : { entries: [], problem: r.error.message };
    } catch (e) {
      return { entries: [], problem: errorMessage(e) };
    }
  };

  /** Newest valid checkpoint per session, with why it left; records read when `withRecords` (for "changed" and trees). */
  const savedSessions = async (entries: readonly CheckpointEntry[], withRecords: boolean): Promise<Map<string, SavedSession>> => {
    const remembered = rememberedSessions(entries, (await loadDepartures(ctx)).departures);
    const newest = new Map([...remembered].map(([name, r]) => [name, r.entry]));
    const loaded = new Map<string, CheckpointBody>();
    if (withRecords) {
      for (const id of new Set([...newest.values()].map((e) => e.id))) {
        const r = await checkpoint(id);
        if (r.ok) loaded.set(id, r.body);
      }
    }
    const out = new Map<string, SavedSession>();
    for (const [name, e] of newest) {
      const record = loaded.get(e.id)?.sessions.find((s) => s.name === name) ?? null;
      const departed = remembered.get(name)?.departed;
      out.set(name, { checkpointId: e.id, createdAt: e.createdAt, record, ...(departed ? { departed } : {}) });
    }
    return out;
  };

  const lockFile = watchLockFile(ctx.paths.runtimeDir, ctx.server.socketPath);
  const snapshotOf = async (
    obs: Observation,
    saved: Map<string, SavedSession>,
    entries: CheckpointEntry[],
    problem: string | null,
    withJournal = false,
  ): Promise<Snapshot> => {
    const [holder, journal, ptyJournal] = await Promise.all([
      currentHolder(lockFile, PROC_IDENTITY),
      withJournal ? readJournalTail(ctx.storeDir, JOURNAL_SHOWN) : null,
      withJournal ? readJournalTail(ptyStoreDir(ctx.paths.stateDir), JOURNAL_SHOWN) : null,
    ]);
    // The panel shows the PTY host's lines beside the server's, as `tsession log` does; the watcher's trouble is the server's alone.
    const shown = journal
      ? mergeJournals([
          { source: 'tmux', entries: journal },
          { source: 'pty', entries: ptyJournal ?? [] },
        ])
          .slice(-JOURNAL_SHOWN)
          .map((m) => (m.source === 'pty' ? { ...m.entry, source: 'pty' as const } : m.entry))
      : null;
    return {
      at: obs.at,
      report: classify(obs, saved),
      checkpoints: entries,
      panes: obs.panes,
      problem,
      watcher: holder ? { pid: holder.pid, since: holder.since, ...troubleOf(journal) } : null,
      ...(shown ? { journal: shown } : {}),
    };
  };

  return {
    prober,
    checkpoint,
    forget: (id) => void bodies.delete(id),

    async refresh() {
      // Never starts a PTY host: with none running, the listing comes from the PTY checkpoint.
      // Loaded on first use: the quick first look does not need the host client.
      const pty = Promise.all([import('../ops/pty-client.js'), import('../ops/pty-sessions.js')])
        .then(([{ ptyAccessOf }, { listPtySessions }]) => listPtySessions(ptyAccessOf(ctx)))
        .catch(() => null);
      const [obs, listed] = await Promise.all([prober.round(), listCheckpoints()]);
      return { ...(await snapshotOf(obs, await savedSessions(listed.entries, true), listed.entries, listed.problem, true)), pty: await pty };
    },

    async quick() {
      const at = Date.now();
      const t0 = performance.now();
      const run = { timeoutMs: QUICK_LIMITS.timeoutMs, env: ctx.env };
      const listing = listCheckpoints();
      const answer = await readLayout(ctx.server, run).then(
        (live) => ({ kind: 'answered' as const, live, message: null }),
        (e: unknown) => {
          const kind: ServerFacts['answer'] = e instanceof TmuxError && (e.kind === 'no-server' || e.kind === 'timeout' || e.kind === 'refused') ? e.kind : 'error';
          return { kind, live: null, message: errorMessage(e) };
        },
      );
      // The layout is in: the index gets a short grace, then the frame is drawn without it.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<{ entries: CheckpointEntry[]; problem: string | null }>((resolve) => {
        timer = setTimeout(() => resolve({ entries: [], problem: 'reading the checkpoints…' }), QUICK_LIMITS.indexGraceMs);
      });
      const listed = await Promise.race([listing, late]).finally(() => clearTimeout(timer));
      const server: ServerFacts = {
        socketPath: ctx.server.socketPath,
        label: ctx.server.label,
        answer: answer.kind,
        ms: performance.now() - t0,
        timeoutMs: QUICK_LIMITS.timeoutMs,
        message: answer.message,
        // One quick miss proves nothing: the full probe decides.
        timeoutsInARow: answer.kind === 'timeout' ? 1 : 0,
        process: answer.live && answer.live.pid > 0 ? readProcFacts(answer.live.pid) : null,
      };
      // No clients list yet: session_attached (control clients included) stands in.
      const obs: Observation = { at, server, live: answer.live, liveIsFresh: answer.live !== null, clients: null, panes: [] };
      return snapshotOf(obs, await savedSessions(listed.entries, false), listed.entries, listed.problem);
    },
  };
}
