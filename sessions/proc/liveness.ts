/**
 * The one liveness check: a process is named by its pid and its start time
 * in /proc (pids are reused, so a pid alone could name a stranger that
 * started later). Non-goals: signalling processes, lock files (the lock
 * module in checkpoints/ gets this injected as a ProcessIdentity).
 */
import type { ProcessIdentity, ProcessRef } from '../../checkpoints/lock.js';
import { readStat } from './facts.js';

/** The process with `pid` as it is now (its start time), or null when none runs. */
export function processRef(pid: number, procRoot = '/proc'): ProcessRef | null {
  const st = readStat(pid, procRoot);
  return st && st.state !== 'Z' ? { pid, startTime: st.startTime } : null;
}

/** Whether `ref` still runs: the same pid with the same start time, and not a zombie. */
export function isRunning(ref: ProcessRef, procRoot = '/proc'): boolean {
  const st = readStat(ref.pid, procRoot);
  return st !== null && st.startTime === ref.startTime && st.state !== 'Z';
}

/** Whether a process with `pid` runs (not a zombie); for records that hold only a pid, so a reused pid reads as running. */
export function isPidRunning(pid: number, procRoot = '/proc'): boolean {
  return processRef(pid, procRoot) !== null;
}

/** Process identity from /proc, for the lock module. */
export const PROC_IDENTITY: ProcessIdentity = {
  // Without /proc the start time is unknown (0); a lock then still names the pid.
  self: () => processRef(process.pid) ?? { pid: process.pid, startTime: 0 },
  isRunning: (ref) => isRunning(ref),
  isPidRunning: (pid) => isPidRunning(pid),
};
