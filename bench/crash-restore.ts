/**
 * Issue 11's "crash → all panes back", for the 120- and 400-pane fixtures:
 *
 * - crash: a `tsession --watch --auto-restore` daemon on the fixture's
 *   server; SIGKILL of the tmux server → every pane of every saved session
 *   exists again in the new server (`list-panes -a` shows all sessions and
 *   all panes), and → every pane's shell is up (no restore gate `sh` left,
 *   every pane runs `bash` or its re-run `tail`);
 * - peer, in the same run and interleaved: a plain `tsession restore` of the
 *   same store onto the server killed with kill-server (its panes' processes
 *   waited for), watched with the same poll, so both figures detect "back"
 *   the same way (the peer's process exit is recorded too).
 *
 * The daemon's crash breaker allows 3 restores per 10 minutes, so every
 * round starts a fresh daemon (its start is not timed) and stops it before
 * the peer runs. Round 0 is a warm-up and is discarded.
 *
 * Every tmux server is isolated (`-L tsession-bench-<pid>-<n> -f /dev/null`,
 * private HOME) and killed at the end, even on error; daemons too.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFixture, FIXTURES, type FixtureShape } from './fixture.js';
import { median, repoRoot, type BenchSection } from './harness.js';
import { killDaemons, serverPid, startDaemon, waitClient } from './daemon-driver.js';
import { createBenchServer, disposeAllServers, killAndWait, type BenchServer } from './save-restore-tmux.js';

const CRASH_BENCH = {
  runs: 3,
  warmup: 1,
  /** Poll period of the "back" detector (each poll is one `tmux list-panes -a`). */
  pollMs: 20,
  timeoutMs: 90_000,
} as const;

const SIZES: readonly { key: keyof typeof FIXTURES; shape: FixtureShape }[] = [
  { key: 'p120', shape: FIXTURES.p120 },
  { key: 'p400', shape: FIXTURES.p400 },
];

const ms = (n: number): string => `${Math.round(n)} ms`;
const load1 = (): number => Number(readFileSync('/proc/loadavg', 'latin1').split(' ')[0]);


/** Every pane of the fixture as `session<TAB>cwd` (fixture.ts: one directory per pane). */
function fixturePanes(server: BenchServer, shape: FixtureShape): Set<string> {
  const want = new Set<string>();
  for (let s = 0; s < shape.sessions; s++) {
    for (let w = 0; w < shape.windows; w++) for (let p = 0; p < shape.panes; p++) want.add(`fx${s}\t${join(server.home, 'fixture', `s${s}`, `w${w}`, `p${p}`)}`);
  }
  return want;
}

/**
 * Poll `list-panes -a` from `t0` on: when every saved pane exists again
 * (`backMs`: every pane of the fixture, in its saved session under its
 * saved name — not a restore's temporary one — in its saved directory),
 * and when every pane's shell is up (`shellsMs`: no restore gate `sh`
 * left, each pane runs bash or its re-run tail). Both in ms after `t0`.
 * Contents are written before a pane's gate opens (restore/gates.ts);
 * the restore's own verify checks the layout.
 */
async function watchBack(server: BenchServer, shape: FixtureShape, t0: number): Promise<{ backMs: number; shellsMs: number }> {
  const want = fixturePanes(server, shape);
  const deadline = t0 + CRASH_BENCH.timeoutMs;
  let backMs = NaN;
  let last = '';
  for (;;) {
    const r = server.tmuxTry('list-panes', '-a', '-F', '#{session_name}\t#{pane_current_command}\t#{pane_current_path}');
    const now = performance.now();
    if (r.status === 0) {
      const rows = r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
      const sessions = new Set(rows.map((x) => x[0])).size;
      const have = new Set(rows.map((x) => `${x[0]}\t${x[2]}`));
      if (Number.isNaN(backMs) && [...want].every((k) => have.has(k))) backMs = now - t0;
      const up = rows.filter((x) => x[1] === 'bash' || x[1] === 'tail').length;
      if (!Number.isNaN(backMs) && up === rows.length) return { backMs, shellsMs: now - t0 };
      last = `${sessions} sessions, ${rows.length} panes, ${up} shells up`;
    }
    if (now > deadline) throw new Error(`Expected ${shape.sessions} sessions / ${want.size} panes in their saved sessions and directories, shells up, within ${CRASH_BENCH.timeoutMs} ms, last saw ${last || 'no server'}`);
    await sleep(CRASH_BENCH.pollMs);
  }
}

interface Round {
  crash: { backMs: number; shellsMs: number; noticedMs: number; daemonRestoreMs: number; from: string };
  peer: { backMs: number; shellsMs: number; processMs: number };
  load: number;
}

async function round(cli: string, server: BenchServer, shape: FixtureShape, first: boolean): Promise<Round> {
  // Crash under the daemon.
  const d = startDaemon(cli, server, ['--auto-restore'], CRASH_BENCH.timeoutMs);
  if (first) await d.next(0, (e) => e.what === 'save' && e.result === 'ok');
  await waitClient(server, CRASH_BENCH.timeoutMs);
  await sleep(1_000); // the daemon's save after attaching is over
  const from = d.lines.length;
  const pid = serverPid(server);
  const t0 = performance.now();
  process.kill(pid, 'SIGKILL');
  const crash = await watchBack(server, shape, t0);
  const noticed = await d.next(from, (e) => e.what === 'server-crashed');
  const restored = await d.next(from, (e) => e.what === 'restore');
  if (restored.entry.result !== 'ok') throw new Error(`Expected the daemon's restore to succeed, got ${JSON.stringify(restored.entry)}`);
  await waitClient(server, CRASH_BENCH.timeoutMs);
  await d.stop();

  // The peer: a plain `tsession restore` of the same store.
  await killAndWait(server);
  await sleep(300);
  const p0 = performance.now();
  const child = spawn(process.execPath, [cli, ...server.tmuxArgs, 'restore', '--json'], { env: server.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; t: number }>((resolve) => child.once('close', (code) => resolve({ code, t: performance.now() })));
  const peer = await watchBack(server, shape, p0);
  const ex = await exited;
  if (ex.code !== 0) throw new Error(`Expected tsession restore to exit 0, got ${ex.code}: ${err.trim()}`);
  const panes = (JSON.parse(out) as { restored: { panes: number }[] }).restored.reduce((n, x) => n + x.panes, 0);
  const want = shape.sessions * shape.windows * shape.panes;
  if (panes !== want) throw new Error(`Expected tsession restore to report ${want} panes, got ${panes}`);
  return {
    crash: {
      ...crash,
      noticedMs: noticed.t - t0,
      daemonRestoreMs: restored.entry.durationMs ?? NaN,
      from: (restored.entry.detail ?? '').split(' from ').at(-1) ?? '',
    },
    peer: { ...peer, processMs: ex.t - p0 },
    load: load1(),
  };
}

async function benchSize(cli: string, shape: FixtureShape, log: (l: string) => void) {
  const panes = shape.sessions * shape.windows * shape.panes;
  const server = createBenchServer();
  const loadStart = load1();
  try {
    await buildFixture({ tmuxArgs: server.tmuxArgs, env: server.env }, shape, join(server.home, 'fixture'));
    const rounds: Round[] = [];
    for (let i = 0; i < CRASH_BENCH.warmup + CRASH_BENCH.runs; i++) {
      const r = await round(cli, server, shape, i === 0);
      log(
        `${panes} panes ${i < CRASH_BENCH.warmup ? 'warm-up' : `round ${i}`}: crash → back ${ms(r.crash.backMs)}, shells ${ms(r.crash.shellsMs)} (noticed ${ms(r.crash.noticedMs)}, daemon's restore ${ms(r.crash.daemonRestoreMs)}) | restore → back ${ms(r.peer.backMs)}, shells ${ms(r.peer.shellsMs)}, process ${ms(r.peer.processMs)} (load ${r.load})`,
      );
      if (i >= CRASH_BENCH.warmup) rounds.push(r);
    }
    await killAndWait(server);
    const m = (f: (r: Round) => number) => Math.round(median(rounds.map(f)));
    const s = (f: (r: Round) => number) => rounds.map((r) => Math.round(f(r)));
    return {
      panes,
      crash: {
        backMs: m((r) => r.crash.backMs),
        shellsMs: m((r) => r.crash.shellsMs),
        noticedMs: m((r) => r.crash.noticedMs),
        daemonRestoreMs: m((r) => r.crash.daemonRestoreMs),
        samples: { backMs: s((r) => r.crash.backMs), shellsMs: s((r) => r.crash.shellsMs), noticedMs: s((r) => r.crash.noticedMs), daemonRestoreMs: s((r) => r.crash.daemonRestoreMs) },
        checkpoints: rounds.map((r) => r.crash.from),
      },
      peer: {
        backMs: m((r) => r.peer.backMs),
        shellsMs: m((r) => r.peer.shellsMs),
        processMs: m((r) => r.peer.processMs),
        samples: { backMs: s((r) => r.peer.backMs), shellsMs: s((r) => r.peer.shellsMs), processMs: s((r) => r.peer.processMs) },
      },
      ratio: { back: Math.round((median(rounds.map((r) => r.crash.backMs)) / median(rounds.map((r) => r.peer.backMs))) * 100) / 100, shells: Math.round((median(rounds.map((r) => r.crash.shellsMs)) / median(rounds.map((r) => r.peer.shellsMs))) * 100) / 100 },
      loadAvg: { start: loadStart, end: load1() },
    };
  } finally {
    server.dispose();
  }
}

/** The `crash` section of `npm run bench`. */
export async function bench(): Promise<BenchSection> {
  const started = performance.now();
  const cli = join(repoRoot(), 'dist', 'tsession.cjs');
  const log = (line: string) => process.stderr.write(`[crash] ${line}\n`);
  const results: Record<string, unknown> = {
    runs: CRASH_BENCH.runs,
    warmup: CRASH_BENCH.warmup,
    pollMs: CRASH_BENCH.pollMs,
    notes: [
      'crash: `tsession --watch --auto-restore --interval 0 --health 0` (fresh daemon per round: its breaker allows 3 restores per 10 min); t0 = SIGKILL of the tmux server',
      'backMs: first poll (`tmux list-panes -a`, every pollMs) that shows every pane of the fixture again, in its saved session (saved name, not a temporary one) and its saved directory; shellsMs: first poll where, in addition, no pane waits at the restore gate (`sh`) and every pane runs bash or its re-run tail',
      'peer: `tsession restore --json` of the same store onto the server stopped with kill-server (pane processes waited for), same poll from the spawn; processMs: until the restore process exited',
    ],
  };
  const summary: string[] = [];
  try {
    const only = process.env.TSESSION_BENCH_SIZES?.split(',');
    for (const { key, shape } of SIZES.filter((x) => !only || only.includes(x.key))) {
      const r = await benchSize(cli, shape, log);
      results[key] = r;
      summary.push(
        `${r.panes}-pane crash → all panes back (--watch --auto-restore): ${ms(r.crash.backMs)} vs \`tsession restore\` ${ms(r.peer.backMs)} in the same run (×${r.ratio.back.toFixed(2)}); ` +
          `→ every shell up: ${ms(r.crash.shellsMs)} vs ${ms(r.peer.shellsMs)} (×${r.ratio.shells.toFixed(2)}); noticed after ${ms(r.crash.noticedMs)}, the daemon's restore ${ms(r.crash.daemonRestoreMs)}, restore process ${ms(r.peer.processMs)}; ` +
          `${CRASH_BENCH.runs} runs after ${CRASH_BENCH.warmup} warm-up; load ${r.loadAvg.start}→${r.loadAvg.end}`,
      );
    }
  } finally {
    killDaemons();
    disposeAllServers();
  }
  results.sectionMs = Math.round(performance.now() - started);
  summary.push(`section took ${Math.round((performance.now() - started) / 1000)} s`);
  return { name: 'crash', results, summary };
}
