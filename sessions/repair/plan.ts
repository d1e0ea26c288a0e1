/**
 * Plans the repair ladder for a frozen session. Pure: from the verdict's
 * causes to ordered steps, gentlest first, each saying what it does, why, and
 * whether it destroys anything (those need a person's yes). The executor
 * (repair.ts) climbs a target's ladder only until that target is healthy, so
 * `--dry-run` prints this plan as is. Non-goals: probing, signalling.
 *
 * Ladder (DESIGN.md, "Recovering a frozen session"): SIGCONT → XON (only with
 * `ixon`) → SIGINT → SIGTERM → respawn-pane -k in the same cwd → for a server
 * that stays dead or hung: end it and restore from the newest good checkpoint.
 */
import type { FrozenCause, SessionVerdict } from '../health/classify.js';
import { paneName } from '../../checkpoints/words.js';

/** What one step does. */
export type RepairAction =
  | { readonly kind: 'resume-server'; readonly pid: number }
  | { readonly kind: 'resume-job'; readonly paneId: string; readonly pgid: number }
  | { readonly kind: 'release-xoff'; readonly paneId: string; readonly tty: string }
  | { readonly kind: 'interrupt'; readonly paneId: string; readonly pgid: number }
  | { readonly kind: 'terminate'; readonly paneId: string; readonly pgid: number }
  | { readonly kind: 'respawn-pane'; readonly paneId: string; readonly cwd: string | null }
  | { readonly kind: 'restart-server'; readonly pid: number | null; readonly sessions: readonly string[] };

/** One rung of the ladder. */
export interface RepairStep {
  /** The server, or a pane id: a target's later steps run only while it is still frozen. */
  readonly target: string;
  /** The target as a person names it: `api:1.2` (session:window.pane), or `the server`. */
  readonly where: string;
  readonly action: RepairAction;
  /** Short imperative line naming the pane as a person does, e.g. "Resume the stopped job in api:1.2 (SIGCONT to process group 4242)". */
  readonly title: string;
  readonly why: string;
  /** Kills or restarts something: ask first (TUI) or require --yes (CLI). */
  readonly destructive: boolean;
}

/** A step left out, and why (e.g. XON without ixon). */
export interface SkippedStep {
  readonly target: string;
  readonly title: string;
  readonly why: string;
}

/** The ladder for one session. */
export interface RepairPlan {
  readonly session: string;
  readonly steps: readonly RepairStep[];
  readonly skipped: readonly SkippedStep[];
}

/** The target name for the server. */
export const SERVER_TARGET = 'server';

/** Kinds of step that destroy work; everything else only resumes or releases. */
export const DESTRUCTIVE = {
  'resume-server': false,
  'resume-job': false,
  'release-xoff': false,
  interrupt: true,
  terminate: true,
  'respawn-pane': true,
  'restart-server': true,
} as const satisfies Record<RepairAction['kind'], boolean>;

const step = (target: string, action: RepairAction, title: string, why: string, where = target === SERVER_TARGET ? 'the server' : target): RepairStep => ({
  target,
  where,
  action,
  title,
  why,
  destructive: DESTRUCTIVE[action.kind],
});

/** Extra facts the planner needs (the shell's cwd for a respawn). */
export interface PlanFacts {
  paneCwd(paneId: string): string | null;
  /** Sessions living on the server (all of them end with it). */
  readonly serverSessions: readonly string[];
}

/** The pane rungs after resuming or releasing: interrupt, terminate, respawn. */
function escalate(paneId: string, pgid: number | null, facts: PlanFacts, why: string, name: string): RepairStep[] {
  const out: RepairStep[] = [];
  if (pgid !== null) {
    out.push(step(paneId, { kind: 'interrupt', paneId, pgid }, `Interrupt the foreground job of ${name} (SIGINT to process group ${pgid})`, `${why}; Ctrl-C is the gentlest stop`, name));
    out.push(step(paneId, { kind: 'terminate', paneId, pgid }, `Terminate the foreground job of ${name} (SIGTERM to process group ${pgid})`, 'it ignored SIGINT', name));
  }
  const cwd = facts.paneCwd(paneId);
  out.push(
    step(
      paneId,
      { kind: 'respawn-pane', paneId, cwd },
      `Respawn pane ${name} in place (respawn-pane -k${cwd ? `, in ${cwd}` : ''})`,
      pgid === null ? `${why}; the shell itself is stuck` : 'the job would not stop',
      name,
    ),
  );
  return out;
}

/** Rungs for one cause. */
function ladderFor(cause: FrozenCause, facts: PlanFacts, skipped: SkippedStep[], nameOf: (paneId: string) => string): RepairStep[] {
  switch (cause.kind) {
    case 'server-stopped':
      return [
        step(SERVER_TARGET, { kind: 'resume-server', pid: cause.pid }, `Resume the tmux server (SIGCONT to pid ${cause.pid})`, 'the server process is stopped (state T)'),
        restartServer(cause.pid, facts, 'it stayed stopped or hung after SIGCONT'),
      ];
    case 'server-hung':
      return [restartServer(cause.pid, facts, 'the server does not answer and is not merely stopped')];
    case 'job-stopped':
      return [
        step(cause.paneId, { kind: 'resume-job', paneId: cause.paneId, pgid: cause.pgid }, `Resume the stopped job in ${nameOf(cause.paneId)} (SIGCONT to process group ${cause.pgid})`, `pid ${cause.pids.join(', ')} stopped (state T)`, nameOf(cause.paneId)),
        ...escalate(cause.paneId, cause.pgid, facts, 'it stayed frozen after SIGCONT', nameOf(cause.paneId)),
      ];
    case 'output-held': {
      const out: RepairStep[] = [];
      const release = `Release flow control in ${nameOf(cause.paneId)} (XON: send-keys C-q)`;
      if (cause.ixon === true) {
        out.push(step(cause.paneId, { kind: 'release-xoff', paneId: cause.paneId, tty: cause.tty }, release, `${cause.tty} has ixon and its writer is held (XOFF)`, nameOf(cause.paneId)));
      } else {
        // Without ixon a C-q is not flow control: it would reach the program
        // as a keystroke (a raw-mode editor would act on it).
        skipped.push({ target: cause.paneId, title: release, why: cause.ixon === false ? `${cause.tty} has no ixon, so C-q would be a stray key` : `${cause.tty}'s ixon is unknown, so C-q might be a stray key` });
      }
      out.push(...escalate(cause.paneId, cause.pgid, facts, 'output stays held', nameOf(cause.paneId)));
      return out;
    }
    case 'not-reading':
      return escalate(cause.paneId, cause.pgid, facts, 'it ignores typed input', nameOf(cause.paneId));
  }
}

function restartServer(pid: number | null, facts: PlanFacts, why: string): RepairStep {
  const names = facts.serverSessions.length ? facts.serverSessions.join(', ') : 'its sessions';
  return step(
    SERVER_TARGET,
    { kind: 'restart-server', pid, sessions: facts.serverSessions },
    `End the tmux server${pid ? ` (pid ${pid})` : ''} and restore ${names} from the newest good checkpoint`,
    why,
  );
}

/** Plan the ladder for a verdict; an empty plan when it is not frozen. */
export function planRepair(verdict: SessionVerdict, facts: PlanFacts): RepairPlan {
  const steps: RepairStep[] = [];
  const skipped: SkippedStep[] = [];
  const seen = new Set<string>();
  // Panes by the name a person reads (api:1.2); the id only where the live layout does not say.
  const names = new Map<string, string>();
  for (const w of verdict.liveSession?.windows ?? []) for (const p of w.panes) names.set(p.id, paneName(verdict.session, w.index, p.index));
  const nameOf = (paneId: string) => names.get(paneId) ?? paneId;
  for (const cause of verdict.causes) {
    for (const s of ladderFor(cause, facts, skipped, nameOf)) {
      // Two causes in one pane (stopped and held) share the escalation rungs.
      const key = `${s.target}:${s.action.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      steps.push(s);
    }
  }
  // Per target, gentlest first: resume, release, interrupt, terminate, respawn, restart.
  const order: readonly RepairAction['kind'][] = ['resume-server', 'resume-job', 'release-xoff', 'interrupt', 'terminate', 'respawn-pane', 'restart-server'];
  const targets = [...new Set(steps.map((s) => s.target))];
  const sorted = targets.flatMap((t) =>
    steps.filter((s) => s.target === t).sort((a, b) => order.indexOf(a.action.kind) - order.indexOf(b.action.kind)),
  );
  return { session: verdict.session, steps: sorted, skipped };
}

/** A plan cut to its gentle rungs, and the destructive rungs it left for a person. */
export interface GentlePlan {
  readonly plan: RepairPlan;
  /** Per target, the destructive rungs that were cut (a person's call). */
  readonly withheld: ReadonlyMap<string, readonly RepairStep[]>;
}

/**
 * Only the rungs that destroy nothing (resume a stopped server or job,
 * release XOFF) of `targets`: what may run without a person (the watch
 * daemon's auto-unfreeze). A target with no gentle rung keeps no step.
 */
export function gentleRungs(plan: RepairPlan, targets: ReadonlySet<string>): GentlePlan {
  const withheld = new Map<string, RepairStep[]>();
  const steps = plan.steps.filter((s) => {
    if (!targets.has(s.target)) return false;
    if (!s.destructive) return true;
    withheld.set(s.target, [...(withheld.get(s.target) ?? []), s]);
    return false;
  });
  return { plan: { ...plan, steps }, withheld };
}
