/**
 * The end of a restore, after the sessions are in place: type the saved
 * commands once each shell waits at its prompt, wait for re-run programs to
 * take their panes, end the pending marks, let the other gated shells start
 * and set the saved pane options — in that order (synchronize-panes set
 * earlier would copy typed text into other panes). Its input is plain data
 * (RestoreFinish), so `tsession restore` can hand it to a background
 * process and return while slow shells still run their rc files; the watch
 * daemon and the interface run it in their own process. Non-goals: deciding
 * what to type (plan.ts), building panes (transaction.ts).
 */
import type { ServerSpec } from '../tmux/server.js';
import type { TmuxCommand } from '../tmux/argv.js';
import { runTmuxBatched, runTmuxScript } from '../tmux/client.js';
import { PENDING_OPTION } from '../tmux/formats.js';
import { readStat } from '../proc/facts.js';
import { failureLine } from './failure-line.js';
import { pressDeferredEnters } from './gates.js';
import { awaitRerunsStarted, typeCommands, type Typed, type TypingJob } from './typing.js';

/** What is left of a restore once its sessions are in place. JSON-safe. */
export interface RestoreFinish {
  readonly jobs: readonly TypingJob[];
  /** Panes whose gate still waits for its Enter (Gates.handOver). */
  readonly deferredGates: readonly string[];
  /** `set-option -p` commands of the saved pane options, by live pane id. */
  readonly paneOptions: readonly TmuxCommand[];
  /** How long to wait for shells before typing anyway; default TYPING_TIMING's. */
  readonly shellReadyTimeoutMs?: number;
  /**
   * The pid of the server the panes are on. Pane ids are per server: once
   * it has ended, a new server on the same socket (the next restore) may
   * hand out the same ids, so nothing more is sent.
   */
  readonly serverPid: number;
}

/** Where to finish it. */
export interface FinishContext {
  readonly server: ServerSpec;
  readonly env: NodeJS.ProcessEnv;
}

/** Pane options are set by tmux this long after the deferred Enters are scheduled (see setPaneOptions). */
export const PANE_OPTIONS_DELAY_MS = 200;

/** What finishing did: what was typed where; `stopped` when typing stopped part-way. */
export interface Finished {
  readonly typed: Typed[];
  readonly stopped: boolean;
}

/** Whether the restore's server still runs (a tmux process with that pid). */
const serverRuns = (pid: number): boolean => readStat(pid)?.comm.startsWith('tmux') === true;

/** Finish a restore. Problems become notes: the sessions are in place either way. */
export async function finishRestore(f: RestoreFinish, ctx: FinishContext, notes: string[]): Promise<Finished> {
  let done: Finished = { typed: [], stopped: false };
  const ended = (): boolean => {
    if (serverRuns(f.serverPid)) return false;
    done = { ...done, stopped: true };
    notes.push('the tmux server ended before the restore was finished; nothing more was sent to it');
    return true;
  };
  let gone: boolean;
  try {
    if (f.jobs.length) {
      done = await typeCommands(f.jobs, { ...ctx, shellReadyTimeoutMs: f.shellReadyTimeoutMs }, notes);
      await awaitRerunsStarted(f.jobs);
    }
  } finally {
    gone = ended();
    if (!gone) {
      // The typed panes are what they will be: saves record them as they are from now on.
      await clearPending(ctx, f.jobs.map((j) => j.pane.id));
      // The other gated shells start now, not while tmux was building or the
      // commands were typed — and whatever typing did.
      await pressDeferredEnters(ctx, f.deferredGates, notes);
    }
  }
  if (!gone && !ended()) await setPaneOptions(ctx, f, notes);
  return done;
}

/** Remove the pending marks of panes the restore is done with; one tmux call, a pane gone meanwhile is no matter. */
async function clearPending(ctx: FinishContext, paneIds: readonly string[]): Promise<void> {
  if (!paneIds.length) return;
  const commands = paneIds.map((id): TmuxCommand => ['set-option', '-pu', '-t', id, PENDING_OPTION]);
  await runTmuxScript(ctx.server, commands, { env: ctx.env }).catch(() => undefined);
}

/**
 * Set the saved pane options once typing is done. With gates still to open,
 * tmux sets them itself after their Enters; otherwise now. A failure is a
 * note: the sessions are in place.
 */
async function setPaneOptions(ctx: FinishContext, f: RestoreFinish, notes: string[]): Promise<void> {
  const commands = [...f.paneOptions];
  if (!commands.length) return;
  try {
    if (f.deferredGates.length === 0) await runTmuxBatched(ctx.server, commands, { env: ctx.env });
    else {
      // Ids, option names and on/off/failed only: safe in a script.
      const delay = String(PANE_OPTIONS_DELAY_MS / 1000);
      const r = await runTmuxScript(ctx.server, commands.map((c): TmuxCommand => ['run-shell', '-b', '-d', delay, '-C', c.join(' ')]), { env: ctx.env });
      if (r.someFailed) notes.push(`some pane options were not set again: ${r.stderr.trim().split('\n')[0]}`);
    }
  } catch (e) {
    notes.push(`pane options (synchronize-panes, remain-on-exit) not set again: ${failureLine(e)}`);
  }
}
