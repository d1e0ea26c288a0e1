/**
 * The one lock-file module: a lock file names its holder's pid and start
 * time (pids are reused, so a pid alone could name a stranger). Taken with
 * link(2), which fails if the file exists, so two processes taking it
 * together cannot both win. A lock whose holder is gone is stale and taken
 * over. Non-goals: telling whether a process runs — the caller injects a
 * ProcessIdentity (sessions/proc/liveness.ts reads /proc; checkpoints/ does
 * not look at processes), and deciding where lock files live (paths.ts).
 */
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempPathFor } from './atomic-write.js';
import { PRIVATE_MODES } from './paths.js';

/** One process, named so that a reused pid is not mistaken for it. */
export interface ProcessRef {
  readonly pid: number;
  /** /proc/<pid>/stat start time, in clock ticks after boot (0 when unknown). */
  readonly startTime: number;
}

/** How the lock tells processes apart; injected (see sessions/proc/liveness.ts). */
export interface ProcessIdentity {
  /** This process. */
  self(): ProcessRef;
  /** Whether `ref` still runs: the same pid with the same start time, not a zombie. */
  isRunning(ref: ProcessRef): boolean;
  /** Whether some process with `pid` runs, for records that hold only a pid (temp file names): weaker, pids are reused. */
  isPidRunning(pid: number): boolean;
}

/** Who holds a lock. */
export interface LockHolder extends ProcessRef {
  /** ISO time the lock was taken. */
  readonly since: string;
}

export type LockOutcome =
  | { readonly kind: 'taken'; readonly release: () => Promise<void>; readonly replacedStale: LockHolder | null }
  | { readonly kind: 'held'; readonly holder: LockHolder };

/** How a lock is taken. */
export interface LockOptions {
  /** A holder older than this is stale even while it runs (a hung holder must not block for ever). */
  readonly staleAfterMs?: number;
  /** Clock (tests). */
  readonly now?: () => number;
}

const UNKNOWN_HOLDER: LockHolder = { pid: 0, startTime: 0, since: 'unknown' };

/** The lock file's holder, or null when it is missing or unreadable. */
export async function readHolder(path: string): Promise<LockHolder | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (Number.isSafeInteger(v.pid) && Number.isSafeInteger(v.startTime) && typeof v.since === 'string') return v as LockHolder;
  } catch {
    // A torn or foreign file: treated as stale by takeLock.
  }
  return null;
}

/** The live holder of the lock at `path`, or null when none runs. */
export async function currentHolder(path: string, identity: ProcessIdentity): Promise<LockHolder | null> {
  const holder = await readHolder(path);
  return holder && identity.isRunning(holder) ? holder : null;
}

/** Whether `holder` still holds: it runs and is not older than staleAfterMs. */
function holds(holder: LockHolder | null, identity: ProcessIdentity, options: LockOptions): holder is LockHolder {
  if (!holder || !identity.isRunning(holder)) return false;
  if (options.staleAfterMs === undefined) return true;
  const since = Date.parse(holder.since);
  return !(Number.isFinite(since) && (options.now ?? Date.now)() - since > options.staleAfterMs);
}

/** Take the lock at `path` for this process, once. Throws on I/O failure other than "exists". */
export async function takeLock(path: string, identity: ProcessIdentity, options: LockOptions = {}): Promise<LockOutcome> {
  const me: LockHolder = { ...identity.self(), since: new Date((options.now ?? Date.now)()).toISOString() };
  // Unique per call (two tries in one process must not share it), and a
  // name the store's sweep knows, should this process die holding it.
  const temp = tempPathFor(path);
  await writeFile(temp, `${JSON.stringify(me)}\n`, { mode: PRIVATE_MODES.file, flag: 'wx' });
  try {
    let replacedStale: LockHolder | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(temp, path);
        const release = async () => {
          const now = await readHolder(path);
          if (now && now.pid === me.pid && now.startTime === me.startTime) await unlink(path).catch(() => {});
        };
        return { kind: 'taken', release, replacedStale };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = await readHolder(path);
      if (holds(holder, identity, options)) return { kind: 'held', holder };
      // Move the stale file aside before deleting it: rename is atomic, so
      // when two processes both found it stale, only one moves it, and
      // neither can delete a lock the other has just taken.
      const aside = `${path}.stale.${me.pid}`;
      try {
        await rename(path, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      const moved = await readHolder(aside);
      if (holds(moved, identity, options)) {
        // Another process took the lock between our read and our rename: give it back.
        await link(aside, path).catch(() => {});
        await unlink(aside).catch(() => {});
        return { kind: 'held', holder: moved };
      }
      await unlink(aside).catch(() => {});
      replacedStale = holder ?? UNKNOWN_HOLDER;
    }
    return { kind: 'held', holder: (await readHolder(path)) ?? UNKNOWN_HOLDER };
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** How long takeLockWithin keeps trying, and how it spaces its tries. */
export interface WaitOptions extends LockOptions {
  readonly waitMs: number;
  /** Jittered pause between tries, so waiters do not retry in step. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly signal?: AbortSignal;
}

/** Take the lock, retrying while a live holder has it, for at most `waitMs`; the last outcome. */
export async function takeLockWithin(path: string, identity: ProcessIdentity, options: WaitOptions): Promise<LockOutcome> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.waitMs;
  for (;;) {
    const outcome = await takeLock(path, identity, options);
    if (outcome.kind === 'taken' || now() >= deadline || options.signal?.aborted) return outcome;
    const pause = options.retryMinMs + Math.random() * (options.retryMaxMs - options.retryMinMs);
    await sleep(pause, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
  }
}
