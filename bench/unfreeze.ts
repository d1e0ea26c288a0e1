/**
 * Frozen → healthy without a person (issue 11, "Speed of the loop"): a
 * `tsession --watch --auto-unfreeze` daemon (default wait, 3 s) on an
 * isolated server, and rounds of each freeze it may undo — a stopped job
 * (its `sleep` SIGSTOPped), output held by XOFF (Ctrl-S under `ixon`), the
 * tmux server SIGSTOPped. Each round is timed from the freeze to the moment
 * the bench sees it healthy again (/proc state, or the pane printing
 * again), with the daemon in the same run; the configured wait is the
 * floor, and the rest (detection, the rung, its check) is reported apart.
 * Target: within 10 s, the wait included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { DEFAULT_WATCH_CONFIG } from '../src/ops/config.js';
import { median, repoRoot, verdict, type BenchSection } from './harness.js';
import { killDaemons, serverPid, startDaemon, waitClient, type BenchDaemon } from './daemon-driver.js';
import { createBenchServer, disposeAllServers, type BenchServer } from './save-restore-tmux.js';

const UNFREEZE_BENCH = {
  /** Rounds per kind of freeze (after one warm-up round of the job kind). */
  rounds: 5,
  timeoutMs: 30_000,
  targetMs: 10_000,
} as const;

type Kind = 'job' | 'xoff' | 'server';
const KINDS: readonly Kind[] = ['job', 'xoff', 'server'];

/** A process's state letter from /proc (null: gone). */
function state(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/** Children of `ppid` named `comm`. */
function childNamed(ppid: number, comm: string): number | null {
  for (const ent of readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    try {
      const stat = readFileSync(`/proc/${ent}/stat`, 'latin1');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppidOf = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppidOf === ppid && name === comm) return Number(ent);
    } catch {
      // gone
    }
  }
  return null;
}

async function until<T>(check: () => T | null | undefined | false, what: string, timeoutMs: number = UNFREEZE_BENCH.timeoutMs, everyMs = 10): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`Expected ${what} within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

let jobs = 0;
const capture = (s: BenchServer) => s.tmux('capture-pane', '-p', '-t', 'work');
const lastTick = (s: BenchServer) => Math.max(0, ...[...capture(s).matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));

/** Freeze `work` the `kind` way; resolves with when (performance.now()) and a check that it is healthy again. */
async function freeze(s: BenchServer, kind: Kind): Promise<{ t0: number; healthy: () => boolean; undo: () => Promise<void> }> {
  if (kind === 'job') {
    const tag = `job${++jobs}`;
    s.tmux('send-keys', '-t', 'work', `sh -c 'echo ${tag}=$$; sleep 1000; true'`, 'Enter');
    const sh = await until(() => Number(new RegExp(`${tag}=(\\d+)`).exec(capture(s))?.[1]) || null, 'the job');
    const sl = await until(() => childNamed(sh, 'sleep'), 'its sleep');
    process.kill(sl, 'SIGSTOP');
    const t0 = performance.now();
    await until(() => state(sl) === 'T', 'the job stopped');
    return {
      t0,
      healthy: () => state(sl) !== 'T',
      undo: async () => {
        s.tmux('send-keys', '-t', 'work', 'C-c');
        s.tmux('send-keys', '-t', 'work', 'clear', 'Enter');
      },
    };
  }
  if (kind === 'xoff') {
    s.tmux('send-keys', '-t', 'work', "stty ixon; sh -c 'i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.05; done'", 'Enter');
    await until(() => lastTick(s) > 2, 'ticks');
    s.tmux('send-keys', '-t', 'work', 'C-s');
    const t0 = performance.now();
    await sleep(200);
    const held = lastTick(s);
    return {
      t0,
      healthy: () => lastTick(s) > held + 2,
      undo: async () => {
        s.tmux('send-keys', '-t', 'work', 'C-c');
        s.tmux('send-keys', '-t', 'work', 'clear', 'Enter');
      },
    };
  }
  const pid = serverPid(s);
  process.kill(pid, 'SIGSTOP');
  const t0 = performance.now();
  await until(() => state(pid) === 'T', 'the server stopped');
  return {
    t0,
    healthy: () => state(pid) !== 'T',
    undo: async () => {
      process.kill(pid, 'SIGCONT');
    },
  };
}

/** One round: freeze, time until healthy, wait for the daemon to see the recovery (so the next freeze is a new one). */
async function round(s: BenchServer, d: BenchDaemon, kind: Kind): Promise<{ ms: number; stepMs: number }> {
  const from = d.lines.length;
  const f = await freeze(s, kind);
  try {
    await until(() => f.healthy(), `${kind} healthy again`, UNFREEZE_BENCH.timeoutMs, kind === 'xoff' ? 50 : 10);
  } catch (e) {
    await f.undo();
    throw new Error(`${(e as Error).message}; daemon lines: ${JSON.stringify(d.lines.slice(from).map((l) => l.entry))}`, { cause: e });
  }
  const ms = performance.now() - f.t0;
  const step = await d.next(from, (e) => e.what === 'unfreeze');
  if (step.entry.result !== 'ok') throw new Error(`Expected the unfreeze step to heal, got ${JSON.stringify(step.entry)}`);
  await f.undo();
  await d.next(from, (e) => e.what === (kind === 'server' ? 'server-recovered' : 'session-recovered'));
  return { ms, stepMs: step.entry.durationMs ?? 0 };
}

/** The `unfreeze` section of `npm run bench`. */
export async function bench(): Promise<BenchSection> {
  const log = (line: string) => process.stderr.write(`[unfreeze] ${line}\n`);
  const cli = join(repoRoot(), 'dist', 'tsession.cjs');
  const waitMs = DEFAULT_WATCH_CONFIG.autoUnfreezeAfterMs;
  const samples: Record<Kind, number[]> = { job: [], xoff: [], server: [] };
  const steps: Record<Kind, number[]> = { job: [], xoff: [], server: [] };
  const s = createBenchServer();
  try {
    s.tmux('new-session', '-d', '-s', 'work', '-x', '120', '-y', '40');
    await until(() => s.tmux('display', '-p', '-t', 'work', '#{cursor_x}').trim() !== '0', 'the prompt');
    const d = startDaemon(cli, s, ['--auto-unfreeze'], UNFREEZE_BENCH.timeoutMs);
    await waitClient(s, UNFREEZE_BENCH.timeoutMs);
    await round(s, d, 'job'); // warm-up
    for (let i = 0; i < UNFREEZE_BENCH.rounds; i++) {
      for (const kind of KINDS) {
        const r = await round(s, d, kind);
        samples[kind].push(r.ms);
        steps[kind].push(r.stepMs);
        log(`${kind} round ${i + 1}: healthy after ${Math.round(r.ms)} ms (wait ${waitMs} ms)`);
      }
    }
    await d.stop();
  } finally {
    killDaemons();
    disposeAllServers();
  }
  const results: Record<string, unknown> = { waitMs, rounds: UNFREEZE_BENCH.rounds, targetMs: UNFREEZE_BENCH.targetMs };
  const summary: string[] = [];
  for (const kind of KINDS) {
    const m = median(samples[kind]);
    results[kind] = { medianMs: Math.round(m), samplesMs: samples[kind].map(Math.round), stepMedianMs: Math.round(median(steps[kind])), beyondWaitMs: Math.round(m - waitMs) };
    summary.push(
      `frozen → healthy under --auto-unfreeze (${kind === 'job' ? 'stopped job' : kind === 'xoff' ? 'XOFF' : 'stopped server'}): ${(m / 1000).toFixed(1)} s median of ${samples[kind].length} (configured wait ${waitMs / 1000} s; detection + rung + check ${((m - waitMs) / 1000).toFixed(1)} s) — target ≤ ${UNFREEZE_BENCH.targetMs / 1000} s ${verdict(m <= UNFREEZE_BENCH.targetMs)}`,
    );
  }
  return { name: 'unfreeze', results, summary };
}
