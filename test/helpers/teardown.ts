/**
 * Teardown for tests, in one place: cleanups that run after each test (or
 * after all) even when it fails, children stopped without hanging on one
 * that already exited, stopped processes continued, isolated servers killed
 * while their shells still write history into the private HOME.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, afterEach } from 'vitest';
import type { TestServer } from './tmux-server.js';

/** Something to undo: remove a dir, kill a server, stop a child. */
export type Cleanup = () => void | Promise<void>;

/**
 * Run `cleanups` newest first (a client before the server it is attached to,
 * a mount before the dir it is in), awaiting each; every one runs even when
 * an earlier one throws, and the first error is rethrown at the end.
 */
export async function runCleanups(cleanups: Cleanup[]): Promise<void> {
  let first: unknown;
  let failed = false;
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (e) {
      if (!failed) first = e;
      failed = true;
    }
  }
  if (failed) throw first;
}

/** Register cleanups to run after each test of the enclosing scope; returns the register function. */
export function cleanupAfterEach(): (...cleanups: Cleanup[]) => void {
  const list: Cleanup[] = [];
  afterEach(() => runCleanups(list));
  return (...cleanups) => void list.push(...cleanups);
}

/** Register cleanups to run once after all tests of the enclosing scope; returns the register function. */
export function cleanupAfterAll(): (...cleanups: Cleanup[]) => void {
  const list: Cleanup[] = [];
  afterAll(() => runCleanups(list));
  return (...cleanups) => void list.push(...cleanups);
}

/** Whether `child` has not exited yet. */
export const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

/**
 * Stop `child`: send `signal` unless it already exited, wait for its exit,
 * and SIGKILL it if it is still there after `graceMs`. Resolves at once for
 * a child that is gone (waiting for 'exit' then would wait forever).
 */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL', graceMs = 5_000): Promise<void> {
  if (!child || !running(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  if ((await Promise.race([exited, late])) === 'late' && running(child)) {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

/** SIGCONT a pid that may be stopped (a stopped server never exits); ignores a gone one. */
export function continuePid(pid: number | null | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // already gone
  }
}

/** Kill the server and remove its HOME, retrying while exiting shells still write to it. */
export async function killServer(ts: TestServer | undefined): Promise<void> {
  if (!ts) return;
  for (let attempt = 0; ; attempt++) {
    try {
      ts.kill();
      return;
    } catch (e) {
      // bash writes .bash_history as it exits on SIGHUP: ENOTEMPTY for a moment.
      if (attempt >= 20) throw e;
      await new Promise((r) => setTimeout(r, 100));
      try {
        rmSync(ts.home, { recursive: true, force: true });
        return;
      } catch {
        // try again
      }
    }
  }
}
