/**
 * What of a snapshot the screen can show, as one string: two refreshes with
 * the same signature draw the same frame, so the second is not rendered at
 * all (no flicker, and no render in the way of a key). Volatile numbers the
 * screen never shows (round-trip times, CPU ticks, idle times) are left out.
 */
import type { Snapshot } from '../model.js';

/** The shown content of `s`. */
export function snapshotSignature(s: Snapshot): string {
  return JSON.stringify([
    s.report.server.state,
    s.problem,
    s.report.sessions.map((v) => [
      v.session,
      v.health,
      v.live,
      v.attachedClients,
      v.evidence.map((e) => e.saw),
      v.saved?.checkpointId ?? null,
      v.saved?.record ? 1 : 0,
      v.liveSession?.windows.map((w) => [w.index, w.name, w.panes.map((p) => p.id)]) ?? null,
    ]),
    s.checkpoints.map((e) => [e.id, e.valid, e.bytes, e.sessions]),
    s.panes.map((p) => [p.paneId, p.shellCwd, p.fgCommand]),
    // PTY sessions, the watcher and the journal are shown too: a revive, a daemon's trouble or a new journal line must repaint.
    s.pty === undefined ? null : s.pty === null ? 'unknown' : [s.pty.hostRunning, s.pty.sessions.map((p) => [p.name, p.kind, p.exitCode, p.pid, p.clients, p.cwd, p.title])],
    s.watcher ? [s.watcher.pid, s.watcher.trouble ?? null] : null,
    s.journal ? [s.journal.length, s.journal.at(-1)?.at ?? null] : null,
  ]);
}
