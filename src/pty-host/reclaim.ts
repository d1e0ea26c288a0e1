/**
 * Giving memory back once sessions go idle. A burst of output (twenty
 * sessions printing at once) grows V8's heap, and V8 keeps what it grew
 * for reuse; Node sends it no idle notifications, so it stays. When mirrors
 * rest (host-session.ts) the host asks for one full collection a moment
 * later, which lets V8 shrink its young generation and release free pages.
 * At most one per delay, only after a rest: never on the output path.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How long after the last rest the collection runs. */
export const RECLAIM_DELAY_MS = 2_000;

let collect: (() => void) | null | undefined;
let timer: NodeJS.Timeout | null = null;

/** The engine's full collection; null where it cannot be had. */
function fullCollection(): (() => void) | null {
  if (collect === undefined) {
    try {
      // Exposes `gc` to contexts made from now on: a new one hands it over, this one stays as it was.
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** Collect once, RECLAIM_DELAY_MS after the last call. */
export function reclaimSoon(): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    const gc = fullCollection();
    // Twice: the first frees what the rested mirrors held, the second lets V8 shrink what that left empty.
    gc?.();
    gc?.();
  }, RECLAIM_DELAY_MS);
  timer.unref();
}
