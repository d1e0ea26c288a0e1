/**
 * Executes a repair plan (plan.ts): climbs each target's ladder one
 * rung at a time, checks after every rung whether the target is healthy
 * again (and stops climbing when it is), bounds every action and check in
 * time, asks before destructive rungs, and reports each step as an event.
 * Non-goals: deciding the ladder (the planner does), choosing a checkpoint
 * (the caller's `restore` does).
 */
import { paneName } from '../../checkpoints/words.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunning, processRef } from '../proc/liveness.js';
import { paneCauses, type Observation } from '../health/classify.js';
import { ttyHasIxon } from '../health/probes.js';
import { runTmux } from '../tmux/client.js';
import { SERVER_TARGET, type RepairPlan, type RepairStep } from './plan.js';
import type { ServerSpec } from '../tmux/server.js';
import { escapeFormat } from '../tmux/argv.js';

/** Named time bounds of the executor. */
export const REPAIR_TIMING = {
  /** How long a rung may take to show its effect before the next one. */
  checkMs: 2_500,
  /** Pause between checks. */
  pollMs: 100,
  /** Healthy observations in a row that count as healed (one can be luck). */
  healthyRounds: 2,
  /** Grace for a server to exit after SIGTERM before SIGKILL. */
  serverExitMs: 2_000,
  /** tmux commands the ladder sends (send-keys, respawn-pane). */
  tmuxTimeoutMs: 2_000,
} as const;

/** Time bounds a caller may override. */
export type RepairTiming = { readonly [K in keyof typeof REPAIR_TIMING]: number };

/** What happened to one step. */
export interface RepairEvent {
  readonly step: RepairStep;
  readonly phase: 'start' | 'healed' | 'not-healed' | 'failed' | 'declined' | 'skipped';
  readonly detail: string;
  /** Time since the step started. */
  readonly ms: number;
}

/** What the executor needs from its caller. */
export interface RepairDeps {
  readonly server: ServerSpec;
  readonly env?: NodeJS.ProcessEnv;
  /** A fresh, bounded observation (a prober round). */
  observe(): Promise<Observation>;
  /** Ask before a destructive step; the CLI answers from --yes. */
  confirm(step: RepairStep): Promise<boolean>;
  /** Restore sessions after their server was ended; returns a one-line result. Throws on failure. */
  restore(sessions: readonly string[]): Promise<string>;
  onEvent?(event: RepairEvent): void;
  /** Replaceable for tests; default process.kill. */
  signal?(pid: number, signal: NodeJS.Signals): void;
  /** Replaceable for tests; default `stty -F tty -a`. */
  ixon?(tty: string): Promise<boolean | null>;
  readonly timing?: Partial<RepairTiming>;
}

/** The result of a repair. */
export interface RepairOutcome {
  readonly healed: boolean;
  /** A person declined a destructive step. */
  readonly declined: boolean;
  readonly events: readonly RepairEvent[];
  /** One line for the status line or stdout. */
  readonly summary: string;
}

/** True when `target` shows no frozen cause in `obs`. */
export function targetHealthy(target: string, obs: Observation): { healthy: boolean; detail: string } {
  if (target === SERVER_TARGET) {
    return obs.server.answer === 'answered'
      ? { healthy: true, detail: `server answered in ${Math.round(obs.server.ms)} ms` }
      : { healthy: false, detail: `server: ${obs.server.answer}${obs.server.process ? `, state ${obs.server.process.state}` : ''}` };
  }
  if (obs.server.answer !== 'answered') return { healthy: false, detail: `server: ${obs.server.answer}` };
  const pane = obs.panes.find((p) => p.paneId === target);
  if (!pane) return { healthy: true, detail: `pane ${target} is gone` };
  const name = paneName(pane.session, pane.windowIndex, pane.paneIndex);
  const { causes, evidence } = paneCauses(pane);
  // A writer blocked in this round alone proves nothing either way; two
  // healthy rounds in a row are required (see healthyRounds).
  if (causes.length === 0 && pane.stopped.length === 0) return { healthy: true, detail: `pane ${name} is running` };
  return { healthy: false, detail: evidence[0]?.saw ?? `pane ${name} still frozen` };
}

/** Run the plan. Never throws: every failure becomes an event. */
export async function executeRepair(plan: RepairPlan, deps: RepairDeps): Promise<RepairOutcome> {
  const timing: RepairTiming = { ...REPAIR_TIMING, ...deps.timing };
  const signal = deps.signal ?? ((pid: number, sig: NodeJS.Signals) => void process.kill(pid, sig));
  const ixon = deps.ixon ?? ((tty: string) => ttyHasIxon(tty));
  const events: RepairEvent[] = [];
  const emit = (step: RepairStep, phase: RepairEvent['phase'], detail: string, t0: number) => {
    const e = { step, phase, detail, ms: Math.round(performance.now() - t0) };
    events.push(e);
    deps.onEvent?.(e);
  };
  const tmux = (cmd: string[]) => runTmux(deps.server, [cmd], { timeoutMs: timing.tmuxTimeoutMs, ...(deps.env ? { env: deps.env } : {}) });

  // Poll until the target is healthy in `healthyRounds` observations in a row, or time runs out.
  const healed = async (target: string, withinMs: number): Promise<{ healthy: boolean; detail: string }> => {
    const deadline = performance.now() + withinMs;
    let inARow = 0;
    for (;;) {
      const last = targetHealthy(target, await deps.observe());
      inARow = last.healthy ? inARow + 1 : 0;
      if (inARow >= timing.healthyRounds) return last;
      // A healthy streak may finish one poll past the deadline; a frozen one may not.
      if (performance.now() >= deadline && (inARow === 0 || performance.now() >= deadline + timing.pollMs * 4)) {
        return { healthy: false, detail: last.detail };
      }
      await sleep(timing.pollMs);
    }
  };

  const act = async (s: RepairStep): Promise<string> => {
    const a = s.action;
    switch (a.kind) {
      case 'resume-server':
        signal(a.pid, 'SIGCONT');
        return `sent SIGCONT to pid ${a.pid}`;
      case 'resume-job':
        signal(-a.pgid, 'SIGCONT');
        return `sent SIGCONT to process group ${a.pgid}`;
      case 'release-xoff': {
        // Checked again right before sending: a program may have switched the
        // tty to raw mode since the probe, and then C-q is a keystroke.
        const on = await ixon(a.tty);
        if (on !== true) throw new Error(`${a.tty} has ${on === false ? 'no ixon' : 'unknown settings'} now; not sending C-q`);
        await tmux(['send-keys', '-t', a.paneId, 'C-q']);
        return `sent C-q (XON) to ${a.paneId}`;
      }
      case 'interrupt':
        signal(-a.pgid, 'SIGINT');
        return `sent SIGINT to process group ${a.pgid}`;
      case 'terminate':
        signal(-a.pgid, 'SIGTERM');
        // A stopped process acts on SIGTERM only once continued.
        signal(-a.pgid, 'SIGCONT');
        return `sent SIGTERM (and SIGCONT) to process group ${a.pgid}`;
      case 'respawn-pane':
        await tmux(['respawn-pane', '-k', '-t', a.paneId, ...(a.cwd ? ['-c', escapeFormat(a.cwd)] : [])]);
        return `respawned ${a.paneId}${a.cwd ? ` in ${a.cwd}` : ''}`;
      case 'restart-server': {
        const pid = a.pid ?? (await deps.observe()).server.process?.pid ?? null;
        // Named by pid and start time: once it exits, its pid may name a stranger, never to be signalled.
        const server = pid !== null ? processRef(pid) : null;
        if (pid !== null && server) {
          signal(pid, 'SIGTERM');
          signal(pid, 'SIGCONT');
          const gone = async (ms: number) => {
            const until = performance.now() + ms;
            while (performance.now() < until) {
              if (!isRunning(server)) return true;
              await sleep(timing.pollMs);
            }
            return false;
          };
          if (!(await gone(timing.serverExitMs))) {
            signal(pid, 'SIGKILL');
            if (!(await gone(timing.serverExitMs))) throw new Error(`tmux server pid ${pid} did not exit after SIGKILL`);
          }
        }
        const restored = await deps.restore(a.sessions);
        return `ended the server${pid !== null ? ` (pid ${pid})` : ''}; ${restored}`;
      }
    }
  };

  const targets = [...new Set(plan.steps.map((s) => s.target))];
  let allHealed = true;
  let declined = false;
  const lines: string[] = [];
  for (const target of targets) {
    let done = false;
    for (const s of plan.steps.filter((x) => x.target === target)) {
      const t0 = performance.now();
      if (s.destructive && !(await deps.confirm(s))) {
        emit(s, 'declined', 'not confirmed; stopping here', t0);
        declined = true;
        break;
      }
      emit(s, 'start', s.title, t0);
      try {
        const did = await act(s);
        const check = await healed(target, timing.checkMs);
        if (check.healthy) {
          emit(s, 'healed', `${did}; ${check.detail}`, t0);
          lines.push(`${target === SERVER_TARGET ? 'the server' : `pane ${s.where}`} is healthy again after: ${s.title}`);
          done = true;
          break;
        }
        emit(s, 'not-healed', `${did}; still frozen: ${check.detail}`, t0);
      } catch (e) {
        emit(s, 'failed', (e as Error).message, t0);
      }
    }
    if (!done) {
      allHealed = false;
      const where = plan.steps.find((x) => x.target === target)?.where ?? target;
      lines.push(`${target === SERVER_TARGET ? 'the server' : `pane ${where}`} is still frozen${declined ? ' (a destructive step was not allowed)' : ''}`);
    }
  }
  if (targets.length === 0) lines.push(`${plan.session}: nothing to repair`);
  return { healed: allHealed, declined, events, summary: `${plan.session}: ${lines.join('; ')}` };
}
