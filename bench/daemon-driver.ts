/**
 * Driving a `tsession --watch` daemon from a benchmark: start it on a bench
 * server, keep its stderr JSON lines with their arrival times, wait for a
 * line or for its control client, and kill every daemon when a section ends
 * (a daemon outlives its parent by design). Shared by the watch and crash
 * sections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchServer } from './save-restore-tmux.js';

/** One journal line the daemon logged, with when it arrived (performance.now()). */
export interface DaemonLine {
  readonly t: number;
  readonly entry: { what: string; result?: string; cause?: string; detail?: string; durationMs?: number };
}

/** A running daemon. */
export interface BenchDaemon {
  readonly lines: readonly DaemonLine[];
  /** The first line from index `from` on that passes `test`. */
  next(from: number, test: (e: DaemonLine['entry']) => boolean): Promise<DaemonLine>;
  /** SIGTERM, resolved once it has exited. */
  stop(): Promise<void>;
  readonly pid: number;
}

const daemons = new Set<ChildProcess>();

/** Start `tsession <server> --watch --interval 0 --health 0 …extra`; waits for lines give up after `timeoutMs`. */
export function startDaemon(cli: string, server: BenchServer, extra: readonly string[], timeoutMs: number): BenchDaemon {
  const child: ChildProcess = spawn(process.execPath, [cli, ...server.tmuxArgs, '--watch', '--interval', '0', '--health', '0', ...extra], {
    env: server.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  daemons.add(child);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void closed.then(() => daemons.delete(child));
  const lines: DaemonLine[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stderr! }).on('line', (text) => {
    const t = performance.now();
    try {
      lines.push({ t, entry: JSON.parse(text) as DaemonLine['entry'] });
    } catch {
      return; // a warning line
    }
    for (const w of waiters.splice(0)) w();
  });
  const next = (from: number, test: (e: DaemonLine['entry']) => boolean): Promise<DaemonLine> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Expected a daemon line within ${timeoutMs} ms; last: ${JSON.stringify(lines.at(-1))}`)), timeoutMs);
      const check = () => {
        const hit = lines.slice(from).find((l) => test(l.entry));
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else waiters.push(check);
      };
      check();
    });
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await closed;
  };
  return { lines, next, stop, pid: child.pid! };
}

/** Wait until a control client (the daemon's) is attached to `server`. */
export async function waitClient(server: BenchServer, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!server.tmuxTry('list-clients', '-F', '#{client_control_mode}').stdout.includes('1')) {
    if (performance.now() > deadline) throw new Error(`Expected the daemon to attach to ${server.name} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** The tmux server's pid. */
export const serverPid = (s: BenchServer): number => Number(s.tmux('display-message', '-p', '#{pid}').trim());

/** SIGKILL every daemon still running (a section's `finally`). */
export function killDaemons(): void {
  for (const d of daemons) d.kill('SIGKILL');
}
