/**
 * The interface's start-up, responsiveness and weight, measured as a person
 * meets them: the whole `tsession` process under a real pty (node-pty), its
 * output fed to an @xterm/headless terminal (the screen is what counts, not
 * the bytes: frames are painted as the rows that changed), against an
 * isolated server with 20 live sessions and 50 checkpoints.
 *
 * - first frame: spawn → the first complete screen (header with the session
 *   count, the checkpoints, the status line); target ≤ 300 ms.
 * - first key: spawn → a `j` sent as soon as the first frame is up is
 *   answered (the selection moved).
 * - key-to-repaint: a key → the screen with the moved selection, while
 *   refreshes run back to back (refresh interval 0); target ≤ 50 ms.
 * - memory: the process's resident set after the keys, and its peak
 *   (VmRSS, VmHWM from /proc).
 *
 * Variants in the same run: this build (own painter), this build with
 * `TSESSION_TUI_RENDERER=ink`, and — when `TSESSION_BENCH_TUI_BASELINE`
 * names another build's bin (e.g. the previous commit's dist/tsession.cjs)
 * — that build, for before/after ratios.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import xterm from '@xterm/headless';
import pty from 'node-pty';
import { serverDir } from '../checkpoints/paths.js';
import { createCheckpointStore } from '../checkpoints/store.js';
import { PROC_IDENTITY } from '../sessions/proc/liveness.js';
import { resolveServer } from '../sessions/tmux/server.js';
import { takeSnapshot } from '../sessions/live/snapshot.js';
import { buildFixture, type FixtureShape } from './fixture.js';
import { median, repoRoot, verdict, type BenchSection } from './harness.js';

/** Tunables of this section. */
const TUI_BENCH = {
  shape: { sessions: 20, windows: 2, panes: 2, programEvery: 0 } satisfies FixtureShape,
  checkpoints: 50,
  /** Measured start-ups (one unmeasured first). */
  runs: 7,
  /** Key presses measured per run. */
  keys: 10,
  size: { cols: 120, rows: 40 },
  targets: { firstFrameMs: 300, keyMs: 50 },
  timeoutMs: 15_000,
  /** How long after the keys the memory is read. */
  settleMs: 1_500,
} as const;

/** A tsession process on a pty, its screen, and the arrival time of the output that made the screen pass a test. */
function startTui(cli: string, socketName: string, env: NodeJS.ProcessEnv) {
  const t0 = performance.now();
  const term = new xterm.Terminal({ cols: TUI_BENCH.size.cols, rows: TUI_BENCH.size.rows, allowProposedApi: true });
  const p = pty.spawn(process.execPath, [cli, '-L', socketName], { name: 'xterm-256color', cols: TUI_BENCH.size.cols, rows: TUI_BENCH.size.rows, cwd: repoRoot(), env: env as Record<string, string> });
  const screen = () => {
    const b = term.buffer.active;
    return Array.from({ length: term.rows }, (_, y) => b.getLine(b.baseY + y)?.translateToString(true) ?? '').join('\n');
  };
  const waiters: { test: (s: string) => boolean; resolve: (ms: number) => void }[] = [];
  p.onData((d) => {
    // The time the bytes arrived, checked once the terminal has parsed them.
    const arrived = performance.now();
    term.write(d, () => {
      const text = screen();
      for (const w of waiters.splice(0)) {
        if (w.test(text)) w.resolve(arrived);
        else waiters.push(w);
      }
    });
  });
  let exited = false;
  p.onExit(() => {
    exited = true;
  });
  /** Resolve with the arrival time of the output after which the screen passes `test`. */
  const when = (test: (s: string) => boolean): Promise<number> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Expected the screen within ${TUI_BENCH.timeoutMs} ms; last:\n${screen()}`)), TUI_BENCH.timeoutMs);
      waiters.push({ test, resolve: (ms) => (clearTimeout(timer), resolve(ms)) });
    });
  /** Resident set now and at its peak, in MB. */
  const memory = () => {
    const status = readFileSync(`/proc/${p.pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  };
  return { p, t0, when, screen, memory, exited: () => exited };
}

/** The selected session on the screen. */
const selectedIn = (text: string): string | null => /^▶ (fx\d+)/m.exec(text)?.[1] ?? null;

/** One start-up: first frame, interactive, then `keys` key-to-repaint samples. */
async function oneRun(cli: string, socketName: string, env: NodeJS.ProcessEnv, stateDir: string): Promise<{ firstFrameMs: number; interactiveMs: number; keyMs: number[]; rssMb: number; peakMb: number }> {
  const t = startTui(cli, socketName, env);
  try {
    // Complete: the header has counted the sessions, the checkpoints are in
    // (not the index-less fallback frame), and the status line (last) is drawn.
    const first = await t.when((s) => s.includes('20 sessions') && s.includes(`state ${stateDir}`) && !s.includes('reading the checkpoints') && /^▶ fx0/m.test(s));
    const firstFrameMs = first - t.t0;
    // The first key, sent at once: answered when the selection moves off the first session.
    const startSel = 'fx0';
    t.p.write('j');
    const moved = await t.when((s) => {
      const sel = selectedIn(s);
      return sel !== null && sel !== startSel;
    });
    const interactiveMs = moved - t.t0;
    const keyMs: number[] = [];
    // Sessions list in name order: fx0, fx1, fx10…; k and j alternate between the first two.
    let current = 'fx1';
    for (let i = 0; i < TUI_BENCH.keys; i++) {
      const key = i % 2 === 0 ? 'k' : 'j';
      const sent = performance.now();
      t.p.write(key);
      const before = current;
      const at = await t.when((s) => {
        const sel = selectedIn(s);
        return sel !== null && sel !== before;
      });
      keyMs.push(at - sent);
      current = before === 'fx0' ? 'fx1' : 'fx0';
    }
    // Memory once it has settled into refreshing (Ink, where used, long loaded).
    await new Promise((r) => setTimeout(r, TUI_BENCH.settleMs));
    const { rssMb, peakMb } = t.memory();
    t.p.write('q');
    const deadline = Date.now() + 5_000;
    while (!t.exited() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return { firstFrameMs, interactiveMs, keyMs, rssMb, peakMb };
  } finally {
    if (!t.exited()) t.p.kill();
  }
}

/** Start-up and key latency of the interface. */
export async function bench(): Promise<BenchSection> {
  const root = mkdtempSync(join(tmpdir(), 'tsession-bench-tui-'));
  const home = join(root, 'home');
  const stateDir = join(root, 'state');
  mkdirSync(join(home, 'run'), { recursive: true, mode: 0o700 });
  for (const rc of ['.bashrc', '.profile']) writeFileSync(join(home, rc), '');
  const socketName = `tsession-bench-tui-${process.pid}`;
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_RUNTIME_DIR: join(home, 'run'), TSESSION_STATE_DIR: stateDir, SHELL: '/bin/bash', TERM: 'xterm-256color' };
  delete env.TMUX;
  delete env.TMUX_PANE;
  delete env.CI;
  const server = { tmuxArgs: ['-L', socketName, '-f', '/dev/null'], env };
  const cli = join(repoRoot(), 'dist', 'tsession.cjs');
  try {
    await buildFixture(server, TUI_BENCH.shape, join(root, 'panes'));
    const spec = resolveServer({ socketName }, env, process.getuid?.() ?? 0);
    // The CLI finds a server's store by its socket path: the same path rule here.
    const store = createCheckpointStore({ dir: serverDir(stateDir, spec.socketPath), stateDir, identity: PROC_IDENTITY });
    const snap = await takeSnapshot(spec, { contentsLines: 0, env });
    for (let i = 0; i < TUI_BENCH.checkpoints; i++) {
      const w = await store.write({ host: 'bench', tmuxVersion: snap.live.version, tsessionVersion: '0.1.0', server: { socketPath: spec.socketPath, label: spec.label }, sessions: snap.sessions }, { force: true });
      if (!w.ok) throw new Error(`Expected to write checkpoint ${i}, got ${w.error.message}`);
    }
    // Reference points on this (shared) machine: a bare Node start, and
    // `tsession list` (layout + index, printed) — the floor a frame stands on.
    const wall = (args: string[]) => {
      const t0 = performance.now();
      spawnSync(process.execPath, args, { env, stdio: 'ignore' });
      return performance.now() - t0;
    };
    const nodeStart: number[] = [];
    const listRun: number[] = [];
    for (let i = 0; i < TUI_BENCH.runs; i++) {
      nodeStart.push(wall(['-e', '0']));
      listRun.push(wall([cli, '-L', socketName, 'list']));
    }
    // Refreshes back to back: every key lands while one is running.
    const runEnv = { ...env, TSESSION_TUI_REFRESH_MS: '0' };
    const baseline = process.env.TSESSION_BENCH_TUI_BASELINE;
    const variants: { name: string; cli: string; env: NodeJS.ProcessEnv }[] = [
      { name: 'this build', cli, env: runEnv },
      { name: 'this build, Ink renderer', cli, env: { ...runEnv, TSESSION_TUI_RENDERER: 'ink' } },
      ...(baseline ? [{ name: `baseline ${baseline}`, cli: baseline, env: runEnv }] : []),
    ];
    await oneRun(cli, socketName, runEnv, stateDir); // warm-up: page cache, index build
    const samples = variants.map(() => ({ first: [] as number[], interactive: [] as number[], keys: [] as number[], rss: [] as number[], peak: [] as number[] }));
    // Interleaved, so a drift of the shared machine hits every variant alike.
    for (let i = 0; i < TUI_BENCH.runs; i++) {
      for (const [k, v] of variants.entries()) {
        const r = await oneRun(v.cli, socketName, v.env, stateDir);
        const out = samples[k]!;
        out.first.push(r.firstFrameMs);
        out.interactive.push(r.interactiveMs);
        out.keys.push(...r.keyMs);
        out.rss.push(r.rssMb);
        out.peak.push(r.peakMb);
      }
    }
    const round = (n: number) => Math.round(n * 10) / 10;
    const measured = variants.map((v, k) => {
      const x = samples[k]!;
      const firstMs = median(x.first);
      const keyMs = median(x.keys);
      return {
        variant: v.name,
        firstFrameMs: { median: round(firstMs), samples: x.first.map(round), target: TUI_BENCH.targets.firstFrameMs, ok: firstMs <= TUI_BENCH.targets.firstFrameMs },
        firstKeyMs: { median: round(median(x.interactive)), samples: x.interactive.map(round) },
        keyToRepaintMs: { median: round(keyMs), p90: round([...x.keys].sort((p, q) => p - q)[Math.floor(x.keys.length * 0.9)]!), samples: x.keys.length, target: TUI_BENCH.targets.keyMs, ok: keyMs <= TUI_BENCH.targets.keyMs },
        rssMb: round(median(x.rss)),
        peakRssMb: round(median(x.peak)),
      };
    });
    const results = {
      // The machine is shared: its load says how much to trust the figures.
      loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
      sessions: TUI_BENCH.shape.sessions,
      panes: TUI_BENCH.shape.sessions * TUI_BENCH.shape.windows * TUI_BENCH.shape.panes,
      checkpoints: TUI_BENCH.checkpoints,
      runs: TUI_BENCH.runs,
      nodeStartMs: round(median(nodeStart)),
      listCommandMs: round(median(listRun)),
      variants: measured,
    };
    const ours = measured[0]!;
    const ratio = (a: number, b: number) => (b > 0 ? `×${(a / b).toFixed(2)}` : '');
    const summary = [
      `20 live sessions, 50 checkpoints, ${TUI_BENCH.runs} interleaved runs per variant; medians`,
      `  for scale on this machine now: bare \`node -e 0\` ${results.nodeStartMs} ms, \`tsession list\` ${results.listCommandMs} ms`,
    ];
    for (const m of measured) {
      const vs = m === ours ? '' : ` (this build ${ratio(ours.firstKeyMs.median, m.firstKeyMs.median)} first key, ${ratio(ours.peakRssMb, m.peakRssMb)} peak memory)`;
      summary.push(
        `${m.variant}: first frame ${m.firstFrameMs.median} ms ${verdict(m.firstFrameMs.ok)}, first key ${m.firstKeyMs.median} ms, key-to-repaint ${m.keyToRepaintMs.median} ms (p90 ${m.keyToRepaintMs.p90}) ${verdict(m.keyToRepaintMs.ok)}, RSS ${m.rssMb} MB, peak ${m.peakRssMb} MB${vs}`,
      );
    }
    summary.push(`targets: first frame ≤ ${TUI_BENCH.targets.firstFrameMs} ms, key-to-repaint ≤ ${TUI_BENCH.targets.keyMs} ms; load average ${results.loadAverage.join(' ')} (2 cores)`);
    return { name: 'tui', results, summary };
  } finally {
    spawnSync('tmux', ['-L', socketName, 'kill-server'], { env, stdio: 'ignore' });
    rmSync(root, { recursive: true, force: true });
  }
}
