/**
 * Refreshes live state on an interval without blocking keys: one bounded
 * refresh at a time (the services bound every probe), the next scheduled
 * after the previous ends, pausable while a repair probes on its own, and
 * "now" on demand after an action.
 */
import { useEffect, useMemo, useRef } from 'react';
import type { TuiServices } from './model.js';
import type { Action } from './state.js';
import { snapshotSignature } from './view/signature.js';
import { errorMessage } from '../../checkpoints/result.js';

/** Controls of the refresh loop. */
export interface RefreshControl {
  /** Refresh as soon as possible (after the one running, if any). */
  refreshNow(): void;
  /** Stop or resume refreshing. */
  pause(on: boolean): void;
  /** When the last refresh finished (it may have changed nothing on screen). */
  readonly refreshedAt: { current: number | null };
}

/** Run the loop while mounted; the first refresh starts at once. */
export function useRefresh(services: TuiServices, dispatch: (a: Action) => void, intervalMs: number, onError: (message: string) => void): RefreshControl {
  const loop = useRef({ timer: undefined as NodeJS.Timeout | undefined, running: false, again: false, paused: false, stopped: false, signature: '' });
  const refreshedAt = useRef<number | null>(null);

  const control = useMemo(() => {
    const l = loop.current;
    const schedule = (ms: number) => {
      clearTimeout(l.timer);
      // tick handles its own failures (onError); the timer only starts it.
      if (!l.stopped) l.timer = setTimeout(() => void tick(), ms);
    };
    async function tick(): Promise<void> {
      if (l.stopped) return;
      if (l.paused) return schedule(intervalMs);
      if (l.running) {
        l.again = true;
        return;
      }
      l.running = true;
      try {
        const snapshot = await services.refresh();
        refreshedAt.current = snapshot.at;
        // A refresh that changes nothing shown is not rendered at all.
        const signature = snapshotSignature(snapshot);
        if (!l.stopped && signature !== l.signature) {
          l.signature = signature;
          dispatch({ type: 'snapshot', snapshot });
        }
      } catch (e) {
        if (!l.stopped) onError(`refresh failed: ${errorMessage(e)}`);
      } finally {
        l.running = false;
      }
      if (l.again) {
        l.again = false;
        schedule(0);
      } else schedule(intervalMs);
    }
    return {
      start: () => schedule(0),
      stop: () => {
        l.stopped = true;
        clearTimeout(l.timer);
      },
      refreshNow: () => {
        if (l.running) l.again = true;
        else schedule(0);
      },
      pause: (on: boolean) => {
        l.paused = on;
      },
    };
    // The loop lives as long as the component; its inputs do not change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    control.start();
    return () => control.stop();
  }, [control]);

  return { refreshNow: control.refreshNow, pause: control.pause, refreshedAt };
}
