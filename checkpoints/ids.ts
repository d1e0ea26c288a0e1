/**
 * Checkpoint ids: unique across processes and within one millisecond, and
 * sortable by creation time as plain strings. Non-goals: ordering saves made
 * in the same millisecond by different processes (either order is fine).
 */
import { randomBytes } from 'node:crypto';

/** Shape of ids made here: <UTC time to the ms>-<pid base36>-<counter>-<random>. */
export const CHECKPOINT_ID_RE = /^(\d{8}T\d{6}\.\d{3}Z)-([0-9a-z]{1,8})-([0-9a-z]{6})-([0-9a-f]{8})$/;

/** Any id the store accepts as a file name (ids from other builds included). */
export const SAFE_ID_RE = /^[0-9A-Za-z][0-9A-Za-z._-]{0,127}$/;

let counter = 0;
let lastMs = 0;

/** A new id: `20261124T091530.123Z-<pid36>-<counter>-<random>`. */
export function newCheckpointId(nowMs: number = Date.now()): string {
  // A clock stepping back must not make a newer save sort before an older one
  // from this process.
  lastMs = Math.max(lastMs, nowMs);
  const stamp = new Date(lastMs).toISOString().replace(/[-:]/g, '');
  const seq = (counter++ % 36 ** 6).toString(36).padStart(6, '0');
  return `${stamp}-${process.pid.toString(36)}-${seq}-${randomBytes(4).toString('hex')}`;
}

/** The creation time encoded in an id made by newCheckpointId, or null. */
export function idTimeMs(id: string): number | null {
  const m = CHECKPOINT_ID_RE.exec(id);
  if (!m?.[1]) return null;
  const s = m[1];
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13)}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** Order ids oldest first (plain code-unit order, which is time order for our ids). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
