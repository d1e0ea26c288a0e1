/**
 * Types saved commands into restored panes once each shell waits at its
 * prompt (keys sent earlier would be echoed by the tty before the prompt is
 * drawn), re-running them with Enter only where the plan says so.
 * Non-goals: deciding what to type (plan.ts, rerun-policy.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LivePane } from '../live/types.js';
import { readStat, readSyscall } from '../proc/facts.js';
import { SYSCALLS, type SyscallTable } from '../proc/syscalls.js';
import { waitsOnTty } from '../proc/tty-wait.js';
import type { TypedCommand } from './plan.js';
import type { ServerSpec } from '../tmux/server.js';
import type { TmuxCommand } from '../tmux/argv.js';
import { runTmuxBatched } from '../tmux/client.js';
import { failureLine } from './failure-line.js';

/** Named timing of typing. */
export const TYPING_TIMING = {
  /** How long to wait for shells before typing commands anyway. */
  shellReadyTimeoutMs: 5_000,
  /**
   * The same for a restore's background typist (finish.ts): nobody waits
   * for it, and 120 shells with ~100 ms rc files take seconds on 2 cores —
   * typed earlier, a command is echoed above the prompt.
   */
  backgroundReadyTimeoutMs: 60_000,
  /** How long to wait for re-run programs to take their pane's foreground. */
  rerunStartTimeoutMs: 1_000,
  pollMs: 15,
} as const;

/**
 * True when the pane's process has become the shell and sleeps waiting for
 * input from the pane's terminal `tty` (`syscalls`: this machine's table).
 * Sleeping in a read is not enough: a shell running its rc files sleeps in
 * a read of a pipe while `eval "$(pyenv init -)"` runs, and keys sent then
 * are echoed by the terminal before the prompt. Its line editor waits on
 * the terminal itself, in raw mode, after drawing the prompt. Without `tty`
 * any wait for input counts; when /proc will not say, the other signs do.
 */
export function shellReady(pid: number, shellName: string, procRoot = '/proc', syscalls: SyscallTable = SYSCALLS, tty?: string): boolean {
  const st = readStat(pid, procRoot);
  if (!st || st.state !== 'S' || st.tpgid !== st.pgrp) return false;
  if (shellName && !st.comm.startsWith(shellName.slice(0, 15))) return false;
  // Null: /proc will not say (no access); the other signs must do.
  if (tty !== undefined) return waitsOnTty(pid, tty, procRoot, syscalls) !== false;
  const nr = readSyscall(pid, procRoot);
  return nr === null || (nr !== 'running' && syscalls.waitsForInput(nr));
}

/**
 * One command to type: where, into which shell. Plain data: a restore may
 * hand its typing to another process (finish.ts).
 */
export interface TypingJob {
  readonly t: Pick<TypedCommand, 'text' | 'enter'>;
  readonly pane: Pick<LivePane, 'id' | 'pid' | 'tty'>;
  /** The shell's program name (what its comm starts with), or '' when unknown. */
  readonly shell: string;
  /** The pane as a person names it (`api:1.2`, checkpoints/words.ts paneName). */
  readonly where: string;
}

/** What was typed where; `ran` when Enter was pressed too. */
export interface Typed {
  /** The pane's tmux id. */
  readonly target: string;
  /** The pane as a person names it (`api:1.2`). */
  readonly where: string;
  readonly text: string;
  readonly ran: boolean;
}

/** What `jobs` type, as a restore reports it (before or after typing). */
export const typedOf = (jobs: readonly TypingJob[]): Typed[] => jobs.map((j) => ({ target: j.pane.id, where: j.where, text: j.t.text, ran: j.t.enter }));

/**
 * Wait until each job's shell is ready (twice in a row: not a brief read of
 * an rc file) or the timeout passes, then type every job's text in one
 * batch. Problems become notes: the sessions are in place either way;
 * `stopped` when the batch stopped part-way (a pane closed meanwhile).
 */
export async function typeCommands(
  jobs: readonly TypingJob[],
  ctx: { readonly server: ServerSpec; readonly env: NodeJS.ProcessEnv; readonly shellReadyTimeoutMs?: number | undefined },
  notes: string[],
): Promise<{ typed: Typed[]; stopped: boolean }> {
  const timeoutMs = ctx.shellReadyTimeoutMs ?? TYPING_TIMING.shellReadyTimeoutMs;
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(jobs);
  const ready: TypingJob[] = [];
  const seenOnce = new Set<TypingJob>();
  const gone = new Set<TypingJob>();
  while (pending.size && Date.now() < deadline) {
    for (const j of pending) {
      // Its pane closed (or its server ended): nothing to wait for, nowhere to type.
      if (!readStat(j.pane.pid)) {
        pending.delete(j);
        gone.add(j);
        continue;
      }
      if (shellReady(j.pane.pid, j.shell, undefined, undefined, j.pane.tty)) {
        if (seenOnce.has(j)) {
          pending.delete(j);
          ready.push(j);
        } else seenOnce.add(j);
      } else seenOnce.delete(j);
    }
    if (pending.size) await sleep(TYPING_TIMING.pollMs);
  }
  for (const j of pending) notes.push(`${j.where}: shell not ready after ${timeoutMs} ms; typed anyway`);
  for (const j of gone) notes.push(`${j.where}: its shell ended before reaching its prompt; nothing typed there`);
  const order = [...ready, ...pending];
  const keys: TmuxCommand[] = [];
  for (const j of order) {
    keys.push(['send-keys', '-t', j.pane.id, '-l', '--', j.t.text]);
    if (j.t.enter) keys.push(['send-keys', '-t', j.pane.id, 'Enter']);
  }
  const typed = typedOf(order);
  if (!keys.length) return { typed, stopped: false };
  try {
    await runTmuxBatched(ctx.server, keys, { env: ctx.env });
  } catch (e) {
    // A batch stops at its first failure (a pane closed meanwhile); the
    // sessions are in place, so say so rather than fail the restore.
    // Keys already sent are not sent again.
    notes.push(`typing saved commands stopped: ${failureLine(e)}`);
    return { typed, stopped: true };
  }
  return { typed, stopped: false };
}

/**
 * Wait until each re-run program has its pane's foreground (the tty's
 * foreground process group is no longer the shell's), or the timeout
 * passes: until then a save would see only the shell. Pure wait, no notes.
 */
export async function awaitRerunsStarted(typed: readonly TypingJob[], timeoutMs: number = TYPING_TIMING.rerunStartTimeoutMs, procRoot = '/proc'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(typed.filter((j) => j.t.enter));
  while (pending.size && Date.now() < deadline) {
    for (const j of pending) {
      const st = readStat(j.pane.pid, procRoot);
      if (!st || st.tpgid !== st.pgrp) pending.delete(j);
    }
    if (pending.size) await sleep(TYPING_TIMING.pollMs);
  }
}
