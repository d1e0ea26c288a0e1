/**
 * Retention: a pure planner (which checkpoints and blobs to keep, and why)
 * and a small executor that deletes what the plan says. Non-goals: listing
 * the store (store.ts feeds the planner), reading config.
 */
import { unlink } from 'node:fs/promises';
import { compareIds } from './ids.js';

/** How many checkpoints to keep. */
export interface RetentionPolicy {
  /** Keep the newest N meaningful, valid checkpoints. */
  readonly keepLast: number;
  /** Also keep the newest one of each of the last D calendar days (today included). */
  readonly dailyForDays: number;
}

/** Default policy (config.json "retention" overrides it). */
export const DEFAULT_RETENTION = { keepLast: 50, dailyForDays: 7 } as const satisfies RetentionPolicy;

/** Planner tunables. */
export const RETENTION_TUNING = {
  /** An unreferenced blob younger than this is spared: a save in flight may be about to reference it. */
  blobGraceMs: 10 * 60_000,
  dayMs: 86_400_000,
} as const;

/** What the planner needs to know about one checkpoint. */
export interface RetentionCandidate {
  readonly id: string;
  /** Creation time (ms since epoch). */
  readonly timeMs: number;
  readonly sessions: readonly string[];
  readonly valid: boolean;
  readonly meaningful: boolean;
  /** Referenced blob hashes (empty when unknown). */
  readonly blobs: readonly string[];
}

/** A blob file on disk. */
export interface BlobFile {
  readonly sha256: string;
  readonly mtimeMs: number;
}

/** Why a checkpoint is kept. */
export type KeepReason = 'last-n' | 'daily' | 'newest-of-session' | 'newest-valid' | 'newer-than-newest-valid';

/** Inputs of one planning run; everything explicit so the plan is reproducible. */
export interface RetentionInput {
  readonly checkpoints: readonly RetentionCandidate[];
  readonly blobs: readonly BlobFile[];
  readonly policy: RetentionPolicy;
  readonly nowMs: number;
  /** Offset of local time from UTC in ms, for calendar days (default: UTC). */
  readonly utcOffsetMs?: number;
  readonly blobGraceMs?: number;
}

/** The decision: what to keep (with reasons) and what to delete. */
export interface RetentionPlan {
  readonly keep: ReadonlyMap<string, readonly KeepReason[]>;
  /** Checkpoint ids to delete, oldest first. */
  readonly remove: readonly string[];
  /** Blob hashes to delete. */
  readonly removeBlobs: readonly string[];
}

/** Decide what to keep. Pure: same input, same plan. */
export function planRetention(input: RetentionInput): RetentionPlan {
  const { policy, nowMs } = input;
  const offset = input.utcOffsetMs ?? 0;
  const grace = input.blobGraceMs ?? RETENTION_TUNING.blobGraceMs;
  const dayOf = (ms: number) => Math.floor((ms + offset) / RETENTION_TUNING.dayMs);
  const newestFirst = [...input.checkpoints].sort((a, b) => compareIds(b.id, a.id));
  const keep = new Map<string, KeepReason[]>();
  const mark = (id: string, reason: KeepReason) => {
    const reasons = keep.get(id) ?? [];
    if (!reasons.includes(reason)) reasons.push(reason);
    keep.set(id, reasons);
  };

  // Only valid, meaningful checkpoints count toward N and the daily slots, so
  // a burst of empty or corrupt saves can never push out one worth restoring.
  const counted = newestFirst.filter((c) => c.valid && c.meaningful);
  counted.slice(0, Math.max(0, policy.keepLast)).forEach((c) => mark(c.id, 'last-n'));

  const today = dayOf(nowMs);
  const seenDays = new Set<number>();
  for (const c of counted) {
    const day = dayOf(c.timeMs);
    if (day > today || day <= today - policy.dailyForDays || seenDays.has(day)) continue;
    seenDays.add(day);
    mark(c.id, 'daily');
  }

  const valid = newestFirst.filter((c) => c.valid);
  const newestValid = valid[0];
  if (newestValid) mark(newestValid.id, 'newest-valid');
  const seenSessions = new Set<string>();
  for (const c of valid) {
    for (const name of c.sessions) {
      if (seenSessions.has(name)) continue;
      seenSessions.add(name);
      mark(c.id, 'newest-of-session');
    }
  }

  // Corrupt files newer than the newest valid one stay as evidence for the
  // warning newestGood prints; the next good save supersedes them.
  for (const c of newestFirst) {
    if (c.valid) break;
    mark(c.id, 'newer-than-newest-valid');
  }

  const remove = newestFirst.filter((c) => !keep.has(c.id)).map((c) => c.id).reverse();
  const referenced = new Set(newestFirst.filter((c) => keep.has(c.id)).flatMap((c) => c.blobs));
  const removeBlobs = input.blobs
    .filter((b) => !referenced.has(b.sha256) && nowMs - b.mtimeMs > grace)
    .map((b) => b.sha256);
  return { keep, remove, removeBlobs };
}

/** Where the executor finds files. */
export interface RetentionTargets {
  checkpointPath(id: string): string;
  blobPath(sha256: string): string;
}

/** What the executor did. */
export interface RetentionResult {
  readonly removed: readonly string[];
  readonly removedBlobs: readonly string[];
  /** One line per file that could not be deleted. */
  readonly failures: readonly string[];
}

/** Delete what the plan says: checkpoints first, then blobs, so a crash never leaves a dangling reference. */
export async function executeRetention(plan: RetentionPlan, targets: RetentionTargets): Promise<RetentionResult> {
  const failures: string[] = [];
  const del = async (path: string): Promise<boolean> => {
    try {
      await unlink(path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return false; // someone else pruned it first
      failures.push(`Could not delete ${path} (${code ?? (error as Error).message})`);
      return false;
    }
  };
  const removed: string[] = [];
  for (const id of plan.remove) if (await del(targets.checkpointPath(id))) removed.push(id);
  const removedBlobs: string[] = [];
  for (const sha of plan.removeBlobs) if (await del(targets.blobPath(sha))) removedBlobs.push(sha);
  return { removed, removedBlobs, failures };
}
