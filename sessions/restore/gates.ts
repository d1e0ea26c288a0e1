/**
 * Opens the gates of restored panes that have saved contents: writes each
 * pane's contents to its terminal (asynchronously, never blocking the event
 * loop — a restore may run inside the watch daemon), then presses Enter
 * there so the gate execs the shell. Non-goals: building panes (the
 * transaction), typing saved commands (typing.ts).
 */
import { count } from '../../checkpoints/words.js';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PaneRecord } from '../../checkpoints/schema.js';
import type { RestorePlan } from './plan.js';
import { decodeGateLines, PENDING_OPTION } from '../tmux/formats.js';
import type { ServerSpec } from '../tmux/server.js';
import type { TmuxCommand } from '../tmux/argv.js';
import { runTmuxScript } from '../tmux/client.js';

/** Named timing of the gates. */
export const GATE_TIMING = {
  /** tmux presses Enter in the panes opened last this long after the restore returns. */
  deferredEnterDelayMs: 100,
  /** Longest wait for tmux to take a pane's contents. */
  ttyWriteTimeoutMs: 5_000,
  /** Pause before trying again while the pane's terminal buffer is full. */
  ttyRetryMs: 2,
} as const;

/** A pane terminal tmux created (Linux: a pty slave). */
const PANE_TTY_RE = /^\/dev\/pts\/\d+$/;

/** Whether `e` is an abort of ours (the deadline). */
const aborted = (e: unknown): boolean => (e as Error | null)?.name === 'AbortError' || (e as Error | null)?.name === 'TimeoutError';

/**
 * Write `text` to a pane's terminal as output. The fd is non-blocking, so a
 * write never waits inside the kernel; while the terminal's buffer is full
 * (tmux has not read it yet) this awaits a timer and tries again, until
 * `deadline` aborts: a tmux that stops reading the pane cannot hang the
 * restore, nor freeze the process meanwhile. Rejects like fs does, or with
 * code ETIMEDOUT.
 */
export async function writeToTty(tty: string, text: string, deadline: AbortSignal = AbortSignal.timeout(GATE_TIMING.ttyWriteTimeoutMs)): Promise<void> {
  if (!PANE_TTY_RE.test(tty)) throw new Error(`not a pty: ${JSON.stringify(tty)}`);
  const fd = openSync(tty, constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  try {
    const bytes = Buffer.from(text, 'utf8');
    for (let off = 0; off < bytes.length; ) {
      try {
        off += writeSync(fd, bytes, off);
        continue;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
      // The pty buffer is full until tmux reads it.
      try {
        await sleep(GATE_TIMING.ttyRetryMs, undefined, { signal: deadline });
      } catch (e) {
        if (aborted(e)) throw Object.assign(new Error('tmux stopped reading the pane'), { code: 'ETIMEDOUT' });
        throw e;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Send the Enters that open gates (one tmux call); problems become notes. */
function sendEnters(ctx: Pick<GateContext, 'server' | 'env'>, commands: TmuxCommand[], panes: number, notes: string[]): Promise<void> {
  return runTmuxScript(ctx.server, commands, { env: ctx.env }).then(
    (r) => void (r.someFailed && notes.push(`some panes did not take the Enter that starts their shell: ${r.stderr.trim().split('\n')[0]}`)),
    (e: unknown) => void notes.push(`could not start the shells of ${count(panes, 'pane')}: ${(e as Error).message}`),
  );
}

/**
 * Press Enter in the panes handed over (Gates.handOver), from inside tmux
 * after a moment (one command group per pane), ending each pane's pending
 * mark with it: from then on saves see its shell.
 */
export async function pressDeferredEnters(ctx: Pick<GateContext, 'server' | 'env'>, paneIds: readonly string[], notes: string[]): Promise<void> {
  if (!paneIds.length) return;
  const delay = String(GATE_TIMING.deferredEnterDelayMs / 1000);
  const later = paneIds.map((id): TmuxCommand => ['run-shell', '-b', '-d', delay, '-C', `send-keys -t ${id} Enter ; set-option -pu -t ${id} ${PENDING_OPTION}`]);
  await sendEnters(ctx, later, later.length, notes);
}

/** What the gates need from the restore. */
export interface GateContext {
  readonly server: ServerSpec;
  readonly env: NodeJS.ProcessEnv;
  /** How a person names a gated pane in a note (`api:1.2`); default: its saved id. */
  readonly paneName?: (pane: PaneRecord) => string;
}

/** The gate opener of one restore (see openGates). */
export interface Gates {
  /** Show the contents of the panes a build chunk reports. */
  reported(buildOutput: Buffer): void;
  /** Press Enter in the early panes (one tmux call) once their contents are shown; settled waits for it. */
  openEarly(): void;
  /** Wait until the contents and Enters started so far are done. */
  settled(): Promise<unknown>;
  /**
   * Once every contents write and early Enter is done: the panes whose Enter
   * is still to be pressed (pressDeferredEnters), handed to whoever finishes
   * the restore. Called once.
   */
  handOver(): Promise<string[]>;
  /** After a failed build: only let what was started settle (the panes are being removed). */
  abandon(): Promise<unknown>;
}

/**
 * Opens the gates of panes with contents. Each pane's contents are written
 * to its terminal as soon as the build reports the pane (the gate holds the
 * shell, so they come before its prompt); then Enter is pressed there and
 * the gate execs the shell. Panes that will get a typed command get their
 * Enter early, as soon as the sessions are in place (openEarly); the others
 * get theirs last, from tmux itself a moment after the restore returns: a
 * hundred shells starting at once take the CPU for a second or more on 2
 * cores, and would slow tmux while it builds or this process while it exits
 * (tmux's own `source-file` also returns with shells still starting). Even
 * the early ones wait for the build: sixty shells started during a
 * 400-pane build competed with tmux for the CPU. A pane whose terminal
 * cannot be written still gets its Enter.
 */
export function openGates(
  plan: RestorePlan,
  contents: ReadonlyMap<PaneRecord, string>,
  earlyPanes: ReadonlySet<PaneRecord>,
  ctx: GateContext,
  notes: string[],
): Gates {
  const pending: Promise<void>[] = [];
  /** Contents writes under way: the deferred Enters wait for them. */
  const writes: Promise<void>[] = [];
  const deferred: string[] = [];
  /** Early panes reported, whose Enter is not sent yet, with their contents write. */
  const early: { paneId: string; write: Promise<void> }[] = [];
  const seen = new Set<number>();
  const send = (commands: TmuxCommand[], panes: number): Promise<void> => sendEnters(ctx, commands, panes, notes);
  const show = (pane: PaneRecord, tty: string): Promise<void> => {
    const text = contents.get(pane);
    if (text === undefined) return Promise.resolve();
    return writeToTty(tty, text).catch((e: unknown) => {
      notes.push(`${ctx.paneName?.(pane) ?? pane.id}: its saved contents were not shown (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    });
  };
  return {
    reported(buildOutput) {
      for (const { n, paneId, tty } of decodeGateLines(buildOutput)) {
        const pane = plan.gates[n];
        if (!pane || seen.has(n)) continue;
        seen.add(n);
        const write = show(pane, tty);
        writes.push(write);
        if (earlyPanes.has(pane)) early.push({ paneId, write });
        else deferred.push(paneId);
      }
    },
    openEarly() {
      const taken = early.splice(0);
      if (!taken.length) return;
      // A write that failed is a note already: its pane still gets its Enter.
      const now = taken.map((e): TmuxCommand => ['send-keys', '-t', e.paneId, 'Enter']);
      pending.push(Promise.all(taken.map((e) => e.write)).then(() => send(now, now.length)));
    },
    settled: () => Promise.all(pending),
    async handOver() {
      await Promise.all([...writes, ...pending]);
      if (seen.size < plan.gates.length) notes.push(`${count(plan.gates.length - seen.size, 'pane')} with contents did not report their terminal; their shells wait for Enter`);
      return deferred.splice(0);
    },
    abandon: () => Promise.all([...writes, ...pending]),
  };
}
