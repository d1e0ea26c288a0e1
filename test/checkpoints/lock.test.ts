/**
 * The one lock-file module (checkpoints/lock.ts) with the one liveness
 * check (sessions/proc/liveness.ts): the watch daemon's lock and the index
 * lock both go through it.
 */
import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentHolder, readHolder, takeLock, takeLockWithin, type ProcessIdentity } from '../../checkpoints/lock.js';
import { isRunning, PROC_IDENTITY, processRef } from '../../sessions/proc/liveness.js';
import { tempDir } from '../helpers/tmux-server.js';

const dirs: { cleanup(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
const lockPath = (): string => {
  const d = tempDir();
  dirs.push(d);
  return join(d.path, 'x.lock');
};

describe('lock file', () => {
  it('is held while its holder runs, stale once it is gone or its pid names another process', async () => {
    const path = lockPath();
    const first = await takeLock(path, PROC_IDENTITY);
    expect(first.kind).toBe('taken');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await takeLock(path, PROC_IDENTITY)).toMatchObject({ kind: 'held', holder: { pid: process.pid } });
    if (first.kind === 'taken') await first.release();

    const sleeper = spawn('sleep', ['30']);
    await new Promise((r) => sleeper.once('spawn', r));
    const real = { ...processRef(sleeper.pid!)!, since: 'then' };
    writeFileSync(path, JSON.stringify(real));
    expect(isRunning(real)).toBe(true);
    expect(await currentHolder(path, PROC_IDENTITY)).toMatchObject({ pid: sleeper.pid });
    expect(await takeLock(path, PROC_IDENTITY)).toMatchObject({ kind: 'held', holder: { pid: sleeper.pid } });
    // Same pid, another start time: the pid was reused, the lock is stale.
    writeFileSync(path, JSON.stringify({ ...real, startTime: real.startTime + 1 }));
    expect(await currentHolder(path, PROC_IDENTITY)).toBeNull();
    const reused = await takeLock(path, PROC_IDENTITY);
    expect(reused).toMatchObject({ kind: 'taken', replacedStale: { pid: sleeper.pid } });
    if (reused.kind === 'taken') await reused.release();
    sleeper.kill('SIGKILL');
    await new Promise((r) => sleeper.once('close', r));
    writeFileSync(path, JSON.stringify(real));
    expect(isRunning(real)).toBe(false);
    const taken = await takeLock(path, PROC_IDENTITY);
    expect(taken.kind).toBe('taken');
    expect((await readHolder(path))?.pid).toBe(process.pid);
    if (taken.kind === 'taken') await taken.release();
    // A torn file is stale too.
    writeFileSync(path, '{"pid":');
    expect((await takeLock(path, PROC_IDENTITY)).kind).toBe('taken');
  });

  it('breaks a running holder only past staleAfterMs (the index lock: a hung holder must not block saves)', async () => {
    const path = lockPath();
    const hung = { pid: process.pid, startTime: processRef(process.pid)!.startTime };
    writeFileSync(path, JSON.stringify({ ...hung, since: new Date(Date.now() - 5_000).toISOString() }));
    expect((await takeLock(path, PROC_IDENTITY, { staleAfterMs: 10_000 })).kind).toBe('held');
    const late = await takeLock(path, PROC_IDENTITY, { staleAfterMs: 1_000 });
    expect(late).toMatchObject({ kind: 'taken', replacedStale: { pid: process.pid } });
  });

  it('takeLockWithin waits for a holder that lets go, and gives up at its deadline', async () => {
    const path = lockPath();
    const first = await takeLock(path, PROC_IDENTITY);
    if (first.kind !== 'taken') throw new Error('not taken');
    const t0 = Date.now();
    const busy = await takeLockWithin(path, PROC_IDENTITY, { waitMs: 150, retryMinMs: 3, retryMaxMs: 15 });
    expect(busy.kind).toBe('held');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    setTimeout(() => void first.release(), 50);
    const later = await takeLockWithin(path, PROC_IDENTITY, { waitMs: 2_000, retryMinMs: 3, retryMaxMs: 15 });
    expect(later.kind).toBe('taken');
    if (later.kind === 'taken') await later.release();
  });

  it('asks only the injected identity whether a holder runs', async () => {
    const path = lockPath();
    const asked: number[] = [];
    const fake: ProcessIdentity = {
      self: () => ({ pid: 424242, startTime: 7 }),
      isRunning: (r) => (asked.push(r.pid), r.pid === 424242),
      isPidRunning: () => true,
    };
    const first = await takeLock(path, fake);
    expect(first.kind).toBe('taken');
    expect(await takeLock(path, fake)).toMatchObject({ kind: 'held', holder: { pid: 424242, startTime: 7 } });
    expect(asked).toEqual([424242]);
  });
});
