/**
 * The refresh loop's worker thread: runs each refresh (tmux calls, /proc
 * reads, the index, classification) away from the thread that handles keys
 * and draws. Spawning a process blocks its thread for tens of milliseconds
 * on a loaded machine; here that never delays a key.
 *
 * Protocol: the parent posts { id }, the worker answers { id, snapshot } or
 * { id, error }. workerData: { opts, env, refresher } for createContext and
 * createRefresher.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../../checkpoints/result.js';
import { createContext, type GlobalOptions } from '../context.js';
import { createRefresher, type RefresherOptions } from './refresher.js';

/** What the parent passes to the worker. */
export interface RefreshWorkerData {
  readonly opts: GlobalOptions;
  readonly env: NodeJS.ProcessEnv;
  readonly refresher: RefresherOptions;
}

/** A request and its answer. */
export type RefreshRequest = { readonly id: number };
export type RefreshReply = { readonly id: number; readonly snapshot?: unknown; readonly error?: string };

/** Niceness of the refresh thread: background work yields the CPU to the thread that answers keys. */
export const REFRESH_NICE = 5;

if (parentPort) {
  // On Linux a nice value is per thread, and pid 0 names the calling thread:
  // this lowers the refresh thread only (and the tmux clients it starts),
  // never the interface. Refused (other systems, limits): run as is.
  try {
    setPriority(0, REFRESH_NICE);
  } catch {
    // keep the default priority
  }
  const port = parentPort;
  const data = workerData as RefreshWorkerData;
  const refresher = createRefresher(createContext(data.opts, data.env), data.refresher);
  port.on('message', (m: RefreshRequest) => {
    refresher.refresh().then(
      (snapshot) => port.postMessage({ id: m.id, snapshot } satisfies RefreshReply),
      (e: unknown) => port.postMessage({ id: m.id, error: errorMessage(e) } satisfies RefreshReply),
    );
  });
}
