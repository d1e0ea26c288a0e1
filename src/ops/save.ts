/**
 * Save: snapshot the server, store pane contents as blobs, write one
 * checkpoint atomically, apply retention — what `tsession save`, the
 * interface (through it) and the watch daemon do. Loads no UI code: this is
 * the hot path `tsession save` has 150 ms for.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { totalPanes } from '../../checkpoints/counts.js';
import type { ContentsRef, PaneRecord, SessionRecord } from '../../checkpoints/schema.js';
import { takeSnapshot, type SnapshotOptions } from '../../sessions/live/snapshot.js';
import { pendingKey } from '../../sessions/live/pending.js';
import { readLayout } from '../../sessions/tmux/layout-read.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { UserError } from '../user-error.js';
import { TSESSION_VERSION } from '../version.js';
import { checkpointFailure } from './checkpoints.js';
import { configFor } from './config.js';
import { takeLayoutRead } from './save-early.js';

/** A save below the retention limit still prunes when the store's count is a multiple of this. */
export const PRUNE_SWEEP_EVERY = 10;

/** Whether a save that left `stored` checkpoints (null: unknown) prunes. */
export function shouldPrune(stored: number | null, keepLast: number): boolean {
  return stored === null || stored > keepLast || stored % PRUNE_SWEEP_EVERY === 0;
}

/** Lines in captured text ('' has none); counted without splitting 2,000-line strings. */
export function lineCount(text: string): number {
  if (!text) return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** What one save did: a written checkpoint with its figures, or why nothing was written. */
export type SaveResult =
  | {
      readonly kind: 'saved';
      readonly id: string;
      readonly path: string;
      readonly bytes: number;
      readonly sessions: number;
      readonly panes: number;
      /** Milliseconds per phase; the layout read overlaps config + store loading. */
      readonly timings: Record<string, number>;
    }
  | { readonly kind: 'skipped'; readonly reason: string }
  /** Only with `unlessFingerprint`: the sessions are what that save recorded, so nothing was written. */
  | { readonly kind: 'unchanged' };

/**
 * Snapshot the server and write one checkpoint: what `tsession save` and
 * the watch daemon both do. Throws UserError (tmux, state dir, unknown
 * session); warnings go to `ctx.warn`.
 */
export async function saveCheckpoint(
  ctx: Context,
  options: {
    readonly sessions?: readonly string[];
    readonly force?: boolean;
    /** Write nothing when the sessions' fingerprint equals this (the watch daemon's idle saves). */
    readonly unlessFingerprint?: string;
    /** Told the fingerprint of what was saved (or found unchanged). */
    readonly onFingerprint?: (fingerprint: string) => void;
    /** Each pane's last command from shell integration (the watch daemon with --markers). */
    readonly lastCommandOf?: (pane: { readonly id: string; readonly pid: number }) => PaneRecord['lastCommand'] | undefined;
    /** Each pane's cwd from shell integration, given its /proc facts (the watch daemon with --markers). */
    readonly cwdOf?: SnapshotOptions['cwdOf'];
  } = {},
): Promise<SaveResult> {
  const names = options.sessions ?? [];
  const t0 = performance.now();
  // tmux is asked first (normally before this module loaded, see
  // save-early.ts): the config and the store load while it answers.
  const layout = takeLayoutRead(ctx.server) ?? readLayout(ctx.server, { env: ctx.env });
  layout.catch(() => {}); // awaited by takeSnapshot; this only avoids an early unhandled-rejection report
  // A bad allowlist (restore's business) must not stop a save: only contents and retention matter here.
  const [{ config, warning }, store] = await Promise.all([configFor(ctx, ['contents', 'retention']), ctx.store().then((s) => (void s.prepare(), s))]);
  if (warning) ctx.warn(warning);
  const t1 = performance.now();
  const snap = await takeSnapshot(ctx.server, {
    sessions: names,
    contentsLines: config.contents.lines,
    env: ctx.env,
    layout,
    ...(options.lastCommandOf ? { lastCommandOf: options.lastCommandOf } : {}),
    ...(options.cwdOf ? { cwdOf: options.cwdOf } : {}),
    carried: async (markers) => {
      // The checkpoints the restores under way are working from (normally one).
      const out = new Map<string, PaneRecord>();
      for (const id of new Set(markers.map((m) => m.checkpointId))) {
        const read = await store.read(id);
        if (!read.ok) continue; // gone or damaged: those panes are recorded as they are
        for (const s of read.value.body.sessions) {
          for (const w of s.windows) for (const p of w.panes) out.set(pendingKey({ checkpointId: id, paneId: p.id }), p);
        }
      }
      return out;
    },
  });
  const t2 = performance.now();
  const missing = names.filter((n) => !snap.sessions.some((s) => s.name === n));
  if (missing.length) {
    throw new UserError(`No session named ${missing.map((m) => JSON.stringify(m)).join(', ')} on tmux server ${ctx.server.label}`, EXIT.usage);
  }
  const refs = new Map<string, ContentsRef>();
  const captured = [...snap.contents];
  const put = await store.putBlobs(captured.map(([, blob]) => blob));
  if (!put.ok) throw checkpointFailure(put.error);
  captured.forEach(([paneId, blob], i) => {
    refs.set(paneId, { blob: put.value[i]!.sha256, lines: lineCount(blob.normal), alternateScreen: blob.alternate !== null });
  });
  const t3 = performance.now();
  const sessions: SessionRecord[] = snap.sessions.map((s) => ({
    ...s,
    // A pane pending a restore keeps the saved contents it carries (it is not captured).
    windows: s.windows.map((w) => ({ ...w, panes: w.panes.map((p) => ({ ...p, contents: refs.get(p.id) ?? p.contents })) })),
  }));
  if (options.onFingerprint || options.unlessFingerprint !== undefined) {
    // Sessions hold no clock: equal JSON means nothing a restore uses has changed (contents by their hashes).
    const fingerprint = createHash('sha256').update(JSON.stringify(sessions)).digest('hex');
    options.onFingerprint?.(fingerprint);
    if (fingerprint === options.unlessFingerprint) return { kind: 'unchanged' };
  }
  const outcome = await store.write(
    {
      host: hostname(),
      tmuxVersion: snap.live.version,
      tsessionVersion: TSESSION_VERSION,
      server: { socketPath: ctx.server.socketPath, label: ctx.server.label },
      sessions,
    },
    { force: options.force === true },
  );
  const t4 = performance.now();
  if (!outcome.ok) throw checkpointFailure(outcome.error);
  const res = outcome.value;
  if (res.kind === 'skipped') return res;
  for (const w of res.warnings) ctx.warn(w);
  // Retention deletes nothing while the store holds no more than keepLast
  // checkpoints, so a save skips it then (~15 ms of directory scans), except
  // every PRUNE_SWEEP_EVERY-th checkpoint, which sweeps what crashed writers
  // left (temp files, blobs of a checkpoint never written).
  if (shouldPrune(res.stored, config.retention.keepLast)) {
    const pruned = await store.prune(config.retention);
    if (!pruned.ok) ctx.warn(pruned.error.message);
  }
  const t5 = performance.now();
  const timings = {
    sinceStartMs: t0,
    configStoreMs: t1 - t0,
    ...snap.timings,
    blobsMs: t3 - t2,
    writeMs: t4 - t3,
    pruneMs: t5 - t4,
    totalMs: t5 - t0,
  };
  return { kind: 'saved', id: res.id, path: res.path, bytes: res.bytes, sessions: sessions.length, panes: totalPanes(sessions), timings };
}
