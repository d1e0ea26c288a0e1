/**
 * Refreshes live state on an interval without blocking keys: one bounded
 * refresh at a time (the services bound every probe), the next scheduled
 * after the previous ends, pausable while a repair probes on its own, and
 * "now" on demand after an action. No React: the controller owns it from
 * the first frame, before Ink has loaded.
 */
import type { Snapshot, TuiServices } from './model.js';
import { snapshotSignature } from './view/signature.js';
import { errorMessage } from '../../checkpoints/result.js';

/** Controls of the refresh loop. */
export interface RefreshLoop {
  start(): void;
  stop(): void;
  /** Refresh as soon as possible (after the one running, if any). */
  refreshNow(): void;
  /** Stop or resume refreshing. */
  pause(on: boolean): void;
  /** When the last refresh finished (it may have changed nothing on screen). */
  readonly refreshedAt: number | null;
}

/** A loop calling `onSnapshot` with each refresh that changes what the screen shows. */
export function createRefreshLoop(services: TuiServices, intervalMs: number, onSnapshot: (s: Snapshot) => void, onError: (message: string) => void): RefreshLoop {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let paused = false;
  let stopped = false;
  let signature = '';
  let refreshedAt: number | null = null;

  const schedule = (ms: number) => {
    clearTimeout(timer);
    // tick handles its own failures (onError); the timer only starts it.
    if (!stopped) timer = setTimeout(() => void tick(), ms);
  };
  async function tick(): Promise<void> {
    if (stopped) return;
    if (paused) return schedule(intervalMs);
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const snapshot = await services.refresh();
      refreshedAt = snapshot.at;
      // A refresh that changes nothing shown is not rendered at all.
      const next = snapshotSignature(snapshot);
      if (!stopped && next !== signature) {
        signature = next;
        onSnapshot(snapshot);
      }
    } catch (e) {
      if (!stopped) onError(`refresh failed: ${errorMessage(e)}`);
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      schedule(0);
    } else schedule(intervalMs);
  }
  return {
    start: () => schedule(0),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
    refreshNow: () => {
      if (running) again = true;
      else schedule(0);
    },
    pause: (on) => {
      paused = on;
    },
    get refreshedAt() {
      return refreshedAt;
    },
  };
}
