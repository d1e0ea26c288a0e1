/**
 * Takes a snapshot of a server: one tmux call for the layout, direct /proc
 * reads for every pane, and (optionally) one tmux call for all pane
 * contents. Read-only: it never changes the server.
 */
import type { ContentsBlob, PaneRecord, SessionRecord } from '../../checkpoints/schema.js';
import { capturePanes } from '../tmux/capture.js';
import type { LivePane, LiveServer } from './types.js';
import { readLayout, readTmuxFallbacks } from '../tmux/layout-read.js';
import { readPaneProcFacts, type PaneProcFacts } from '../proc/facts.js';
import { sessionToRecord } from './record.js';
import { carryForward, gatedShellArgv, livePending, pendingKey, RESTORE_TMP_RE, type PendingMarker } from './pending.js';
import type { ServerSpec } from '../tmux/server.js';
import type { RunOptions } from '../tmux/client.js';

/** What a snapshot holds before it is sealed into a checkpoint. */
export interface Snapshot {
  readonly live: LiveServer;
  readonly sessions: SessionRecord[];
  /** Pane id → contents to store as a blob (absent when disabled or not captured). */
  readonly contents: Map<string, ContentsBlob>;
  /** Milliseconds spent per phase, for the benchmark. */
  readonly timings: { layoutMs: number; procMs: number; contentsMs: number };
}

export interface SnapshotOptions extends RunOptions {
  /** Only these session names (default: all). */
  readonly sessions?: readonly string[];
  /** Lines of contents per pane; 0 disables capture. */
  readonly contentsLines: number;
  readonly procRoot?: string;
  /**
   * A layout read already under way (see startLayoutRead): the caller starts
   * tmux first and loads its config and store while tmux answers.
   */
  readonly layout?: Promise<LiveServer>;
  /** A pane's last command as shell integration told it (the watch daemon follows pane output). */
  readonly lastCommandOf?: (pane: { readonly id: string; readonly pid: number }) => PaneRecord['lastCommand'] | undefined;
  /** A pane's cwd as shell integration told it, given /proc's facts (undefined: keep /proc's or tmux's). */
  readonly cwdOf?: (pane: LivePane, proc: PaneProcFacts | undefined) => PaneRecord['cwd'] | undefined;
  /**
   * The saved panes that panes still pending a restore are becoming, keyed
   * by pendingKey (the caller reads the checkpoints the markers name);
   * asked only when a pane carries a live marker. A marker whose pane is
   * not found is ignored.
   */
  readonly carried?: (markers: readonly PendingMarker[]) => Promise<ReadonlyMap<string, PaneRecord>>;
  /** Wall clock for marker deadlines (tests). */
  readonly nowMs?: number;
}

/** Read everything needed to rebuild the server's sessions. */
export async function takeSnapshot(server: ServerSpec, opts: SnapshotOptions): Promise<Snapshot> {
  const t0 = performance.now();
  const live = await (opts.layout ?? readLayout(server, opts));
  const t1 = performance.now();
  const wanted = opts.sessions?.length ? new Set(opts.sessions) : null;
  // A restore's temporary sessions are either removed or renamed into place
  // when it ends: recording one would restore it under that name.
  const chosen = live.sessions.filter((s) => (wanted ? wanted.has(s.name) : !RESTORE_TMP_RE.test(s.name)));
  const facts = new Map<string, PaneProcFacts>();
  const panes: LivePane[] = [];
  const now = opts.nowMs ?? Date.now();
  const markers = new Map<string, PendingMarker>();
  for (const s of chosen) {
    for (const w of s.windows) {
      for (const p of w.panes) {
        panes.push(p);
        if (p.pid > 0 && !p.dead) facts.set(p.id, atGateAsShell(readPaneProcFacts(p.pid, opts.procRoot)));
        const m = livePending(p.pending, now);
        if (m) markers.set(p.id, m);
      }
    }
  }
  // Panes a restore has not finished with are recorded as the saved panes it is making.
  const savedByKey = markers.size && opts.carried ? await opts.carried([...markers.values()]) : new Map<string, PaneRecord>();
  const carried = new Map<string, PaneRecord>();
  for (const [id, m] of markers) {
    const saved = savedByKey.get(pendingKey(m));
    if (saved) carried.set(id, saved);
  }
  // Panes /proc could not describe get tmux's view, in parallel with capture.
  const blind = panes.filter((p) => !facts.get(p.id)?.shellArgv);
  const t2 = performance.now();
  const [captured, fallbacks] = await Promise.all([
    capturePanes(server, panes.filter((p) => !carried.has(p.id)), opts.contentsLines, opts),
    readTmuxFallbacks(server, blind.map((p) => p.id), opts),
  ]);
  for (const [i, p] of panes.entries()) {
    const fb = fallbacks.get(p.id);
    if (fb) panes[i] = { ...p, currentCommand: fb.command, currentPath: fb.path };
  }
  const byId = new Map(panes.map((p) => [p.id, p]));
  const t3 = performance.now();
  const contents = new Map<string, ContentsBlob>();
  for (const [id, c] of captured) contents.set(id, { v: 1, normal: c.normal, alternate: c.alternate });
  const sessions = chosen.map((s) =>
    sessionToRecord({ ...s, windows: s.windows.map((w) => ({ ...w, panes: w.panes.map((p) => byId.get(p.id) ?? p) })) }, (p) => {
      const proc = facts.get(p.id);
      const lastCommand = opts.lastCommandOf?.(p);
      const cwd = opts.cwdOf?.(p, proc);
      return { ...(proc ? { proc } : {}), ...(lastCommand ? { lastCommand } : {}), ...(cwd ? { cwd } : {}) };
    }),
  ).map((s) => (carried.size ? withCarried(s, carried) : s));
  return { live, sessions, contents, timings: { layoutMs: t1 - t0, procMs: t2 - t1, contentsMs: t3 - t2 } };
}

/**
 * A pane still at a restore's gate whose marker is gone (stale, or from a
 * build that set none) is recorded with the shell the gate will exec, never
 * as the gate's `sh`.
 */
function atGateAsShell(facts: PaneProcFacts): PaneProcFacts {
  const shell = gatedShellArgv(facts.shellArgv);
  return shell ? { ...facts, shellArgv: shell } : facts;
}

/** A session record with its pending panes replaced by what the restore is making of them. */
function withCarried(s: SessionRecord, carried: ReadonlyMap<string, PaneRecord>): SessionRecord {
  return {
    ...s,
    windows: s.windows.map((w) => ({
      ...w,
      panes: w.panes.map((p) => {
        const saved = carried.get(p.id);
        return saved ? carryForward(p, saved) : p;
      }),
    })),
  };
}
