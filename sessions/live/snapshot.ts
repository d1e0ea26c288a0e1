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
}

/** Read everything needed to rebuild the server's sessions. */
export async function takeSnapshot(server: ServerSpec, opts: SnapshotOptions): Promise<Snapshot> {
  const t0 = performance.now();
  const live = await (opts.layout ?? readLayout(server, opts));
  const t1 = performance.now();
  const wanted = opts.sessions?.length ? new Set(opts.sessions) : null;
  const chosen = live.sessions.filter((s) => !wanted || wanted.has(s.name));
  const facts = new Map<string, PaneProcFacts>();
  const panes: LivePane[] = [];
  for (const s of chosen) {
    for (const w of s.windows) {
      for (const p of w.panes) {
        panes.push(p);
        if (p.pid > 0 && !p.dead) facts.set(p.id, readPaneProcFacts(p.pid, opts.procRoot));
      }
    }
  }
  // Panes /proc could not describe get tmux's view, in parallel with capture.
  const blind = panes.filter((p) => !facts.get(p.id)?.shellArgv);
  const t2 = performance.now();
  const [captured, fallbacks] = await Promise.all([
    capturePanes(server, panes, opts.contentsLines, opts),
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
  );
  return { live, sessions, contents, timings: { layoutMs: t1 - t0, procMs: t2 - t1, contentsMs: t3 - t2 } };
}
