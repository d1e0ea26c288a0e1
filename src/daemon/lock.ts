/**
 * One watch daemon per tmux server: a lock file naming the holder's pid and
 * its start time in /proc (pids are reused, so a pid alone could name a
 * stranger). Taken with link(2), which fails if the file exists, so two
 * daemons starting together cannot both win. A lock whose holder is gone is
 * stale and taken over.
 */
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { readStat } from '../../sessions/proc/facts.js';
import { join } from 'node:path';
import { PRIVATE_MODES, serverSlug } from '../../checkpoints/paths.js';

/** The lock file of a server's watch daemon, under tsession's runtime dir. */
export const watchLockFile = (runtimeDir: string, socketPath: string): string => join(runtimeDir, `watch-${serverSlug(socketPath)}.lock`);

/** The daemon watching the server whose lock file is `path`, or null when none runs. */
export async function currentWatcher(path: string): Promise<LockHolder | null> {
  const holder = await readHolder(path);
  return holder && isAlive(holder) ? holder : null;
}

/** Who holds a lock. */
export interface LockHolder {
  readonly pid: number;
  /** /proc/<pid>/stat start time, in clock ticks after boot. */
  readonly startTime: number;
  readonly since: string;
}

export type LockOutcome =
  | { readonly kind: 'taken'; readonly release: () => Promise<void>; readonly replacedStale: LockHolder | null }
  | { readonly kind: 'held'; readonly holder: LockHolder };

/** Whether `h` is a running process (the same one that wrote the lock). */
export function isAlive(h: LockHolder, procRoot = '/proc'): boolean {
  const st = readStat(h.pid, procRoot);
  return st !== null && st.startTime === h.startTime && st.state !== 'Z';
}

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
    // A torn or foreign file: treated as stale below.
  }
  return null;
}

/** Take the lock at `path` for this process. Throws on I/O failure other than "exists". */
export async function takeLock(path: string): Promise<LockOutcome> {
  const self = readStat(process.pid);
  const me: LockHolder = { pid: process.pid, startTime: self?.startTime ?? 0, since: new Date().toISOString() };
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(me)}\n`, { mode: PRIVATE_MODES.file });
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
      if (holder && isAlive(holder)) return { kind: 'held', holder };
      // Move the stale file aside before deleting it: rename is atomic, so
      // when two daemons both found it stale, only one moves it, and neither
      // can delete a lock the other has just taken.
      const aside = `${path}.stale.${process.pid}`;
      try {
        await rename(path, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      const moved = await readHolder(aside);
      if (moved && isAlive(moved)) {
        // Another daemon took the lock between our read and our rename: give it back.
        await link(aside, path).catch(() => {});
        await unlink(aside).catch(() => {});
        return { kind: 'held', holder: moved };
      }
      await unlink(aside).catch(() => {});
      replacedStale = holder ?? { pid: 0, startTime: 0, since: 'unknown' };
    }
    const holder = await readHolder(path);
    return { kind: 'held', holder: holder ?? { pid: 0, startTime: 0, since: 'unknown' } };
  } finally {
    await unlink(temp).catch(() => {});
  }
}
