/**
 * The daemon's health rounds while it is attached: the same prober and
 * classifier as the interface, every `everyMs`, journaling what froze or
 * recovered (health-changes.ts). With auto-unfreeze on (auto-unfreeze.ts),
 * rounds run every second, and a freeze of a covered session that lasts
 * the policy's wait gets the gentle rungs only (resume, release XOFF),
 * once per freeze; what only a destructive rung could fix is journaled as a
 * person's call. Rounds never overlap.
 */
import { classify, type HealthReport, type Observation } from '../../sessions/health/classify.js';
import { createProber, type Prober } from '../../sessions/health/probes.js';
import { SERVER_TARGET } from '../../sessions/repair/plan.js';
import type { Context } from '../context.js';
import { frozenTargets, planRepairs, unfreezeGently } from '../ops/unfreeze.js';
import { FreezeTimer, type AutoUnfreezePolicy } from './auto-unfreeze.js';
import { healthChanges } from './health-changes.js';
import type { Report } from './report.js';
import { tsessionCommand } from '../ops/command-words.js';

/** A running series of rounds; `stop` waits for the round under way. */
export interface HealthWatch {
  stop(): Promise<void>;
}

/** What the rounds do. */
export interface HealthOptions {
  /** Time between rounds that journal frozen and recovered (0: none, unless auto-unfreeze is on). */
  readonly everyMs: number;
  /** The auto-unfreeze policy in force now (asked each round: the config file may change); null: off. */
  autoUnfreeze(): Promise<AutoUnfreezePolicy | null>;
  /** The prober's wait before a pane that ignores input counts (PROBE_LIMITS by default). */
  readonly notReadingAfterMs?: number;
}

/** Named timing of the rounds under auto-unfreeze. */
export const AUTO_UNFREEZE_TIMING = {
  /** Time between rounds while auto-unfreeze is on: a freeze is seen within about this. */
  probeMs: 1_000,
  /** With no rounds to run, how often the policy is asked again (a config file turning it on). */
  idleMs: 2_000,
  /** Soonest next round when a freeze becomes due sooner than probeMs. */
  minGapMs: 50,
} as const;

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** Start probing; the first round runs after one period. */
export function watchHealth(ctx: Context, options: HealthOptions, report: Report): HealthWatch {
  const prober = createProber(ctx.server, { env: ctx.env, ...(options.notReadingAfterMs !== undefined ? { notReadingAfterMs: options.notReadingAfterMs } : {}) });
  const timer = new FreezeTimer();
  let frozen: ReadonlySet<string> = new Set();
  let stopped = false;
  let handle: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  const next = (policy: AutoUnfreezePolicy | null): number => {
    if (!policy) return options.everyMs || AUTO_UNFREEZE_TIMING.idleMs;
    const every = options.everyMs ? Math.min(options.everyMs, AUTO_UNFREEZE_TIMING.probeMs) : AUTO_UNFREEZE_TIMING.probeMs;
    // A freeze that becomes due sooner is looked at again right then, not up to a period later.
    const due = timer.nextDueIn(Date.now(), policy.afterMs);
    return due === null ? every : Math.max(AUTO_UNFREEZE_TIMING.minGapMs, Math.min(every, due));
  };
  const tick = () => {
    let policy: AutoUnfreezePolicy | null = null;
    round = options
      .autoUnfreeze()
      .catch(() => null) // a config that cannot be read now: the keeper already said so
      .then(async (p) => {
        policy = p;
        if (!policy && !options.everyMs) return; // nothing to probe for
        const obs = await prober.round();
        if (stopped) return;
        const health = classify(obs, new Map());
        // A round whose layout is not fresh (slow, refused) saw no pane: it proves nothing about sessions.
        const changes = healthChanges(frozen, health, obs.liveIsFresh, tsessionCommand(ctx, 'unfreeze'));
        frozen = changes.frozen;
        for (const entry of changes.entries) report(entry);
        if (policy) await unfreezeDue(ctx, prober, timer, policy, obs, health, report, () => stopped);
      })
      .catch(() => {}) // a failed round is a missing round; saves report tmux failures
      .finally(() => {
        if (!stopped) handle = setTimeout(tick, next(policy));
      });
  };
  handle = setTimeout(tick, options.everyMs || AUTO_UNFREEZE_TIMING.probeMs);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(handle);
      return round;
    },
  };
}

/**
 * The gentle rungs for every covered target frozen for the policy's wait
 * (once per freeze), each step journaled by the op; a target still frozen
 * after them, or with no gentle rung at all, is journaled as left to a person.
 */
async function unfreezeDue(
  ctx: Context,
  prober: Prober,
  timer: FreezeTimer,
  policy: AutoUnfreezePolicy,
  obs: Observation,
  health: HealthReport,
  report: Report,
  stopped: () => boolean,
): Promise<void> {
  // A freeze is dated from the start of the round that saw it (a stopped server costs the round its timeout).
  const seenAt = obs.at;
  const now = Date.now();
  const live = health.sessions.filter((s) => s.live).map((s) => s.session);
  const covered = frozenTargets(health, undefined, ctx.server.label).filter((v) =>
    v.causes.some((c) => c.kind === 'server-stopped' || c.kind === 'server-hung') ? policy.coversServer(live) : policy.covers(v.session),
  );
  const planned = planRepairs({ obs, report: health }, covered);
  timer.seen(
    planned.flatMap((p) => p.plan.steps.map((s) => s.target)),
    seenAt,
    obs.liveIsFresh,
    SERVER_TARGET,
  );
  for (const { plan } of planned) {
    if (stopped()) return;
    const due = new Set(plan.steps.map((s) => s.target).filter((t) => timer.due(t, now, policy.afterMs)));
    if (due.size === 0) continue;
    const longest = Math.max(...[...due].map((t) => timer.frozenFor(t, now)));
    for (const t of due) timer.tried(t);
    const cause = `auto-unfreeze: frozen for ${seconds(longest)} s (wait ${seconds(policy.afterMs)} s)`;
    const journal = async (entries: readonly Parameters<Report>[0][]) => {
      for (const e of entries) report(e);
      return null;
    };
    const { outcome, withheld } = await unfreezeGently(ctx, { plan, targets: due, observe: () => prober.round(), cause, journal });
    for (const target of due) {
      const ran = outcome?.events.filter((e) => e.step.target === target) ?? [];
      if (ran.some((e) => e.phase === 'healed')) continue;
      const left = withheld.get(target) ?? [];
      const where = plan.steps.find((s) => s.target === target)?.where ?? target;
      const name = target === SERVER_TARGET ? 'the server' : `pane ${where}`;
      report({
        kind: 'detected',
        what: 'unfreeze-needs-person',
        cause,
        detail: `${plan.session}: ${name} is still frozen; what is left destroys work, so it is a person's call (tsession unfreeze)`,
        evidence: [
          ran.length ? `gentle steps tried: ${[...new Set(ran.map((e) => e.step.title))].join('; ')}` : 'no gentle step applies',
          ...plan.skipped.filter((s) => s.target === target).map((s) => `not tried: ${s.title} (${s.why})`),
          ...left.map((s) => `left to a person: ${s.title}`),
        ],
      });
    }
  }
}
