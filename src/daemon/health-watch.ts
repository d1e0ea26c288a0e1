/**
 * The daemon's health rounds while it is attached: the same prober and
 * classifier as the interface, every `everyMs`, journaling what froze or
 * recovered (health-changes.ts). Rounds never overlap.
 */
import { classify } from '../../sessions/health/classify.js';
import { createProber } from '../../sessions/health/probes.js';
import type { Context } from '../context.js';
import { healthChanges } from './health-changes.js';
import type { Report } from './report.js';

/** A running series of rounds; `stop` waits for the round under way. */
export interface HealthWatch {
  stop(): Promise<void>;
}

/** Start probing every `everyMs`; the first round runs after one period. */
export function watchHealth(ctx: Context, everyMs: number, report: Report): HealthWatch {
  const prober = createProber(ctx.server, { env: ctx.env });
  let frozen: ReadonlySet<string> = new Set();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  const tick = () => {
    round = prober
      .round()
      .then((obs) => {
        if (stopped) return;
        // A round whose layout is not fresh (slow, refused) saw no pane: it proves nothing about sessions.
        const changes = healthChanges(frozen, classify(obs, new Map()), obs.liveIsFresh);
        frozen = changes.frozen;
        for (const entry of changes.entries) report(entry);
      })
      .catch(() => {}) // a failed round is a missing round; saves report tmux failures
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, everyMs);
      });
  };
  timer = setTimeout(tick, everyMs);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      return round;
    },
  };
}
