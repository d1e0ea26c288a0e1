/**
 * The interface's start-up and responsiveness, measured as a person meets
 * them: the whole `tsession` process under a real pty (node-pty), against an
 * isolated server with 20 live sessions and 50 checkpoints.
 *
 * - first frame: spawn → the first complete frame (header with the session
 *   count through the status line) has arrived on the pty; target ≤ 300 ms.
 * - interactive: spawn → the first key is answered (Ink loaded); reported.
 * - key-to-repaint: a key → the frame with the moved selection, while
 *   refreshes run back to back (refresh interval 0); target ≤ 50 ms.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
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
} as const;

/** A tsession process on a pty, with arrival times of what it writes. */
function startTui(cli: string, socketName: string, env: NodeJS.ProcessEnv) {
  const t0 = performance.now();
  const p = pty.spawn(process.execPath, [cli, '-L', socketName], { name: 'xterm-256color', cols: TUI_BENCH.size.cols, rows: TUI_BENCH.size.rows, cwd: repoRoot(), env: env as Record<string, string> });
  let out = '';
  const waiters: { test: (s: string) => boolean; resolve: (ms: number) => void }[] = [];
  p.onData((d) => {
    out += d;
    const now = performance.now();
    for (const w of waiters.splice(0)) {
      if (w.test(out)) w.resolve(now);
      else waiters.push(w);
    }
  });
  let exited = false;
  p.onExit(() => {
    exited = true;
  });
  /** Resolve with the arrival time of the first output (since `from`) that passes `test`. */
  const when = (test: (s: string) => boolean, from = 0): Promise<number> =>
    new Promise((resolve, reject) => {
      const check = (s: string) => test(s.slice(from));
      if (check(out)) return resolve(performance.now());
      const timer = setTimeout(() => reject(new Error(`Expected tsession output within ${TUI_BENCH.timeoutMs} ms; last: ${JSON.stringify(out.slice(-300))}`)), TUI_BENCH.timeoutMs);
      waiters.push({ test: check, resolve: (ms) => (clearTimeout(timer), resolve(ms)) });
    });
  return { p, t0, when, length: () => out.length, exited: () => exited };
}

/** The selected session in the newest frame within `text`. */
const selectedIn = (text: string): string | null => {
  const all = [...text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').matchAll(/▶ (fx\d+)/g)];
  return all.length ? all[all.length - 1]![1]! : null;
};

/** One start-up: first frame, interactive, then `keys` key-to-repaint samples. */
async function oneRun(cli: string, socketName: string, env: NodeJS.ProcessEnv, stateDir: string): Promise<{ firstFrameMs: number; interactiveMs: number; keyMs: number[] }> {
  const t = startTui(cli, socketName, env);
  try {
    // Complete: the header has counted the sessions, the checkpoints are in
    // (not the index-less fallback frame), and the status line (last) is drawn.
    const first = await t.when((s) => {
      const at = s.lastIndexOf('20 sessions');
      const frame = at < 0 ? '' : s.slice(at);
      return frame.includes(`state ${stateDir}`) && !frame.includes('reading the checkpoints');
    });
    const firstFrameMs = first - t.t0;
    // Interactive: a key is answered (the selection moves off the first session).
    const startSel = 'fx0';
    let from = t.length();
    t.p.write('j');
    const moved = await t.when((s) => {
      const sel = selectedIn(s);
      return sel !== null && sel !== startSel;
    }, from);
    const interactiveMs = moved - t.t0;
    const keyMs: number[] = [];
    // Sessions list in name order: fx0, fx1, fx10…; k and j alternate between the first two.
    let current = 'fx1';
    for (let i = 0; i < TUI_BENCH.keys; i++) {
      const key = i % 2 === 0 ? 'k' : 'j';
      from = t.length();
      const sent = performance.now();
      t.p.write(key);
      const before = current;
      const at = await t.when((s) => {
        const sel = selectedIn(s);
        return sel !== null && sel !== before;
      }, from);
      keyMs.push(at - sent);
      current = before === 'fx0' ? 'fx1' : 'fx0';
    }
    t.p.write('q');
    const deadline = Date.now() + 5_000;
    while (!t.exited() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return { firstFrameMs, interactiveMs, keyMs };
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
    await oneRun(cli, socketName, runEnv, stateDir); // warm-up: page cache, index build
    const first: number[] = [];
    const interactive: number[] = [];
    const keys: number[] = [];
    for (let i = 0; i < TUI_BENCH.runs; i++) {
      const r = await oneRun(cli, socketName, runEnv, stateDir);
      first.push(r.firstFrameMs);
      interactive.push(r.interactiveMs);
      keys.push(...r.keyMs);
    }
    const firstMs = median(first);
    const keyMs = median(keys);
    const round = (n: number) => Math.round(n * 10) / 10;
    const results = {
      // The machine is shared: its load says how much to trust the figures.
      loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
      sessions: TUI_BENCH.shape.sessions,
      panes: TUI_BENCH.shape.sessions * TUI_BENCH.shape.windows * TUI_BENCH.shape.panes,
      checkpoints: TUI_BENCH.checkpoints,
      runs: TUI_BENCH.runs,
      nodeStartMs: Math.round(median(nodeStart) * 10) / 10,
      listCommandMs: Math.round(median(listRun) * 10) / 10,
      firstFrameMs: { median: round(firstMs), samples: first.map(round), target: TUI_BENCH.targets.firstFrameMs, ok: firstMs <= TUI_BENCH.targets.firstFrameMs },
      interactiveMs: { median: round(median(interactive)), samples: interactive.map(round) },
      keyToRepaintMs: { median: round(keyMs), p90: round([...keys].sort((x, y) => x - y)[Math.floor(keys.length * 0.9)]!), samples: keys.length, target: TUI_BENCH.targets.keyMs, ok: keyMs <= TUI_BENCH.targets.keyMs },
    };
    return {
      name: 'tui',
      results,
      summary: [
        `first frame, whole process (20 live sessions, 50 checkpoints): ${round(firstMs)} ms median of ${TUI_BENCH.runs} (target ≤ ${TUI_BENCH.targets.firstFrameMs} ms) ${verdict(results.firstFrameMs.ok)}`,
        `  for scale on this machine now: bare \`node -e 0\` ${results.nodeStartMs} ms, \`tsession list\` ${results.listCommandMs} ms (medians)`,
        `first key answered (Ink loaded): ${results.interactiveMs.median} ms median`,
        `key-to-repaint while refreshing: ${round(keyMs)} ms median, p90 ${results.keyToRepaintMs.p90} ms over ${keys.length} keys (target ≤ ${TUI_BENCH.targets.keyMs} ms) ${verdict(results.keyToRepaintMs.ok)}`,
        `load average during the run: ${results.loadAverage.join(' ')} (2 cores)`,
      ],
    };
  } finally {
    spawnSync('tmux', ['-L', socketName, 'kill-server'], { env, stdio: 'ignore' });
    rmSync(root, { recursive: true, force: true });
  }
}
