/**
 * Unfreeze: probe the server and its panes (again, while one probe cannot
 * prove a freeze), classify, choose what to repair, plan each repair ladder
 * and climb it, journaling the detection and every step once. `tsession
 * unfreeze` and the interface both call it; they differ only in who answers
 * the destructive steps' questions and how events are shown.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { classify, type HealthReport, type Observation, type SavedSession, type SessionVerdict } from '../../sessions/health/classify.js';
import type { Prober } from '../../sessions/health/probes.js';
import { executeRepair, type RepairEvent, type RepairOutcome } from '../../sessions/repair/execute.js';
import { gentleRungs, planRepair, type RepairPlan, type RepairStep } from '../../sessions/repair/plan.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { UserError } from '../user-error.js';
import { loadDepartures, rememberedSessions } from './departures.js';
import { repairEntry, type JournalRecord } from './journal.js';
import { restoreNewest, type Journaling } from './restore.js';

/** Named bounds of an unfreeze. */
export const UNFREEZE = {
  /** Extra probes to confirm a slow server or a blocked writer. */
  confirmRounds: 2,
  confirmDelayMs: 300,
} as const;

/** True when another probe could change the verdict (one timeout, a writer blocked once). */
function unproven(obs: Observation): boolean {
  if (obs.server.answer === 'timeout' && obs.server.process?.state !== 'T' && obs.server.timeoutsInARow < 2) return true;
  if (obs.server.answer === 'refused' && obs.server.timeoutsInARow < 2) return true;
  return obs.panes.some((p) => (p.blockedWriter && p.blockedWriter.rounds < 2) || (p.notReading && p.notReading.rounds < 2));
}

/** Observe, probing again while something is unproven; `signal` ends the waits early. */
export async function observe(prober: Prober, signal?: AbortSignal): Promise<Observation> {
  let obs = await prober.round();
  for (let i = 0; i < UNFREEZE.confirmRounds && unproven(obs) && !signal?.aborted; i++) {
    await delay(UNFREEZE.confirmDelayMs, undefined, signal ? { signal } : {}).catch(() => undefined);
    obs = await prober.round();
  }
  return obs;
}

/** Newest valid checkpoint per session name (to know the sessions of a server that does not answer), with why each left. */
async function savedSessions(ctx: Context): Promise<Map<string, SavedSession>> {
  const [listed, { departures }] = await Promise.all([(await ctx.store()).list(), loadDepartures(ctx)]);
  const out = new Map<string, SavedSession>();
  if (!listed.ok) return out;
  for (const [name, { entry: e, departed }] of rememberedSessions(listed.value, departures)) {
    out.set(name, { checkpointId: e.id, createdAt: e.createdAt, record: null, ...(departed ? { departed } : {}) });
  }
  return out;
}

/** What an examination found. */
export interface Examination {
  readonly obs: Observation;
  readonly report: HealthReport;
}

/** Probe (confirming what one probe cannot prove) and classify. A server that cannot be asked is a UserError (EXIT.tmux). */
export async function examine(ctx: Context, prober: Prober, signal?: AbortSignal): Promise<Examination> {
  const [obs, saved] = await Promise.all([observe(prober, signal), savedSessions(ctx)]);
  if (obs.server.answer === 'error') throw new UserError(obs.server.message ?? `tmux server ${ctx.server.label} cannot be asked`, EXIT.tmux);
  return { obs, report: classify(obs, saved) };
}

/** One verdict standing for the whole server. */
function serverVerdict(report: HealthReport, label: string): SessionVerdict {
  return { session: label, health: 'frozen', live: true, evidence: report.server.evidence, causes: report.server.cause ? [report.server.cause] : [], liveSession: null, attachedClients: null, saved: null };
}

/** The frozen verdicts to repair: the named one, or every frozen one (a frozen server once). Unknown name: a UserError. */
export function frozenTargets(report: HealthReport, name: string | undefined, serverLabel: string): SessionVerdict[] {
  if (name !== undefined) {
    const v = report.sessions.find((s) => s.session === name);
    if (v) return v.health === 'frozen' ? [v] : [];
    if (report.server.cause) return [serverVerdict(report, name)];
    const known = report.sessions.map((s) => s.session).join(', ') || 'none';
    throw new UserError(`Expected a session of tmux server ${serverLabel}, got ${JSON.stringify(name)} (known: ${known})`, EXIT.usage);
  }
  const frozen = report.sessions.filter((s) => s.health === 'frozen');
  const paneLevel = frozen.filter((s) => !s.causes.some((c) => c.kind === 'server-stopped' || c.kind === 'server-hung'));
  if (report.server.cause) return [serverVerdict(report, frozen.map((s) => s.session).join(', ') || 'the server'), ...paneLevel];
  return frozen;
}

/** A verdict and the ladder that repairs it. */
export interface PlannedRepair {
  readonly verdict: SessionVerdict;
  readonly plan: RepairPlan;
}

/** The repair ladder of each verdict, from what the examination saw of the panes. */
export function planRepairs(exam: Examination, verdicts: readonly SessionVerdict[]): PlannedRepair[] {
  const serverSessions = exam.report.sessions.filter((s) => s.live).map((s) => s.session);
  const paneCwd = (id: string) => exam.obs.panes.find((p) => p.paneId === id)?.shellCwd ?? null;
  return verdicts.map((verdict) => ({ verdict, plan: planRepair(verdict, { paneCwd, serverSessions }) }));
}

/** What a repair needs from its caller. */
export interface RepairRun extends Journaling {
  readonly plan: RepairPlan;
  /** The verdict that found the freeze: journaled as the detection before the steps. */
  readonly detected?: SessionVerdict;
  /** A fresh, bounded observation. */
  observe(): Promise<Observation>;
  /** Ask before a destructive step. */
  confirm(step: RepairStep): Promise<boolean>;
  onEvent?(event: RepairEvent): void;
}

/** A finished repair, and why its journal lines could not be written (null: written). */
export interface RepairResult {
  readonly outcome: RepairOutcome;
  readonly journalProblem: string | null;
}

/**
 * Climb one ladder and journal it: the detection (when given), then one
 * line per step that ran or was declined. The last rung restores the newest
 * good checkpoint (journaled as a restore of its own).
 */
export async function repair(ctx: Context, run: RepairRun): Promise<RepairResult> {
  const session = run.plan.session;
  const journaled: JournalRecord[] = run.detected
    ? [{ kind: 'detected', what: 'session-frozen', cause: run.cause, detail: run.detected.session, evidence: run.detected.evidence.map((e) => `${e.probe}: ${e.saw}`) }]
    : [];
  const outcome = await executeRepair(run.plan, {
    server: ctx.server,
    env: ctx.env,
    observe: () => run.observe(),
    confirm: (step) => run.confirm(step),
    restore: async () => {
      const r = await restoreNewest(ctx, run);
      return `restored ${r.result.restored.map((x) => x.name).join(', ') || 'nothing'} from checkpoint ${r.checkpointId}`;
    },
    onEvent: (e) => {
      const entry = repairEntry(run.cause, session, e);
      if (entry) journaled.push(entry);
      run.onEvent?.(e);
    },
  });
  return { outcome, journalProblem: await run.journal(journaled) };
}

/** What an automatic unfreeze needs: the plan (its gentle rungs of `targets` run), a fresh observation, the journal. */
export interface GentleRun extends Journaling {
  readonly plan: RepairPlan;
  readonly targets: ReadonlySet<string>;
  observe(): Promise<Observation>;
}

/** A gentle repair's end: the executor's outcome (null: no gentle rung to run), and each target's rungs left to a person. */
export interface GentleResult {
  readonly outcome: RepairOutcome | null;
  readonly withheld: ReadonlyMap<string, readonly RepairStep[]>;
  readonly journalProblem: string | null;
}

/**
 * Climb only the rungs that destroy nothing (resume, release XOFF) of the
 * plan's `targets`, journaling each step; destructive rungs are never run
 * (nobody is asked: they stay a person's call, `tsession unfreeze`).
 */
export async function unfreezeGently(ctx: Context, run: GentleRun): Promise<GentleResult> {
  const { plan, withheld } = gentleRungs(run.plan, run.targets);
  if (plan.steps.length === 0) return { outcome: null, withheld, journalProblem: null };
  const { outcome, journalProblem } = await repair(ctx, { plan, observe: () => run.observe(), confirm: async () => false, cause: run.cause, journal: run.journal });
  return { outcome, withheld, journalProblem };
}
