/**
 * Restore must not depend on how slowly shells start (issue 11, "Speed of
 * the loop"): `tsession restore` of the 120-pane fixture onto a killed
 * server with an empty HOME, and with a realistic one — a `~/.bashrc` (and
 * a `~/.bash_profile` sourcing it, for tmux's login shells) that burns
 * ~100 ms of CPU per shell, calibrated on this machine, as `pyenv init`
 * and friends do. The two are interleaved in one run, each run from the
 * same checkpoint, every pane checked; target: rc ≤ 1.2 × empty.
 *
 * The timed span is the `tsession restore` process: what a person waits
 * for. Shells still running their rc files when it returns, and the
 * restore's typist re-running tail in its panes, are waited for (untimed,
 * reported apart: every prompt drawn, every tail running) before the next
 * run, so runs never overlap.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFixture, FIXTURES } from './fixture.js';
import { median, repoRoot, verdict, type BenchSection } from './harness.js';
import { createBenchServer, disposeAllServers, killAndWait, paneCount, timedSpawn, waitGatesOpen } from './save-restore-tmux.js';

const RC_BENCH = {
  runs: 5,
  /** CPU a realistic rc file costs per shell. */
  rcCpuMs: 100,
  targetRatio: 1.2,
} as const;

type Home = 'empty' | 'rc';
const HOMES: readonly Home[] = ['empty', 'rc'];
/**
 * `commands`: as a person restores (allowlisted programs re-run: the
 * restore waits for those panes' shells to reach their prompts);
 * `shells`: `--no-commands`, the build alone.
 */
type Mode = 'commands' | 'shells';
const MODES: readonly Mode[] = ['commands', 'shells'];
type Key = `${Home}-${Mode}`;

/** CPU ms of a child (user + system) for one `bash -c script`. */
function bashCpuMs(script: string): number {
  const t = spawnSync('bash', ['-c', `${script}; times`], { encoding: 'utf8' });
  // `times` prints the shell's user/sys then its children's: "0m0.081s 0m0.001s".
  const [self] = t.stdout.trim().split('\n');
  const secs = [...(self ?? '').matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return (secs[0]! + secs[1]!) * 1000;
}

/** A busy loop costing about `cpuMs` of CPU in bash on this machine. */
function calibratedLoop(cpuMs: number): string {
  const probe = 200_000;
  const loop = (n: number) => `__i=0; while (( __i < ${n} )); do (( __i++ )); done; unset __i`;
  const cost = Math.max(1, median([0, 1, 2].map(() => bashCpuMs(loop(probe)))));
  return loop(Math.round((probe * cpuMs) / cost));
}

/** A HOME whose bash start-up costs ~cpuMs of CPU (login and interactive shells alike). */
function heavyHome(cpuMs: number): { home: string; loop: string; measuredMs: number } {
  const home = mkdtempSync(join(tmpdir(), 'tsession-bench-rc-'));
  const loop = calibratedLoop(cpuMs);
  writeFileSync(join(home, '.bashrc'), `# a realistic rc: ~${cpuMs} ms of CPU, like eval "$(pyenv init -)"\n${loop}\nPS1='$ '\n`);
  writeFileSync(join(home, '.bash_profile'), '[ -f ~/.bashrc ] && . ~/.bashrc\n');
  writeFileSync(join(home, '.profile'), '');
  mkdirSync(join(home, 'run'), { recursive: true, mode: 0o700 });
  const measuredMs = median([0, 1, 2].map(() => bashCpuMs(`HOME=${home}; . ${join(home, '.bashrc')}`)));
  return { home, loop, measuredMs };
}

/** The `rc` section of `npm run bench`. */
export async function bench(): Promise<BenchSection> {
  const log = (line: string) => process.stderr.write(`[rc] ${line}\n`);
  const cli = join(repoRoot(), 'dist', 'tsession.cjs');
  const shape = FIXTURES.p120;
  const expected = shape.sessions * shape.windows * shape.panes;
  const server = createBenchServer();
  const heavy = heavyHome(RC_BENCH.rcCpuMs);
  log(`rc file: ${Math.round(heavy.measuredMs)} ms of CPU per shell (calibrated loop: ${heavy.loop.slice(0, 40)}…)`);
  const samples: Record<Key, number[]> = { 'empty-commands': [], 'rc-commands': [], 'empty-shells': [], 'rc-shells': [] };
  const settle: Record<Key, number[]> = { 'empty-commands': [], 'rc-commands': [], 'empty-shells': [], 'rc-shells': [] };
  try {
    await buildFixture({ tmuxArgs: server.tmuxArgs, env: server.env }, shape, join(server.home, 'fixture'));
    const state = join(server.home, 'state');
    const env = (home: Home): NodeJS.ProcessEnv => {
      const e: NodeJS.ProcessEnv = { ...server.env, TSESSION_STATE_DIR: state };
      if (home === 'rc') e.HOME = heavy.home;
      // A machine-wide CA bundle costs every node start ~40 ms; not ours to measure.
      delete e.NODE_EXTRA_CA_CERTS;
      return e;
    };
    const saved = timedSpawn(process.execPath, [cli, ...server.tmuxArgs, 'save', '--json'], env('empty'));
    if (saved.status !== 0) throw new Error(`Expected tsession save to exit 0, got ${saved.status}: ${saved.stderr.trim()}`);
    for (let round = 0; round < 1 + RC_BENCH.runs; round++) {
      for (const [home, mode] of (round % 2 ? [...HOMES].reverse() : HOMES).flatMap((h) => MODES.map((m) => [h, m] as const))) {
        const key: Key = `${home}-${mode}`;
        await killAndWait(server);
        const r = timedSpawn(process.execPath, [cli, ...server.tmuxArgs, 'restore', '--json', ...(mode === 'shells' ? ['--no-commands'] : [])], env(home));
        if (r.status !== 0) throw new Error(`Expected tsession restore (${home} HOME) to exit 0, got ${r.status}: ${r.stderr.trim()}`);
        const n = paneCount(server);
        if (n.panes !== expected) throw new Error(`Expected ${expected} restored panes (${home} HOME), got ${n.panes}`);
        const t = performance.now();
        await waitGatesOpen(server, 120_000);
        // Every shell at its prompt (its cursor moved) or running its re-run program: the rc files have run.
        // (With --no-commands a `tail` pane is a shell at its prompt too.)
        // With commands, every re-run tail must be running: typed (by the restore's typist) at its prompt.
        const tails = mode === 'commands' ? Math.ceil(expected / shape.programEvery) : 0;
        for (;;) {
          const out = server.tmuxTry('list-panes', '-a', '-F', '#{cursor_x} #{pane_current_command}').stdout.split('\n');
          const running = out.filter((l) => l.endsWith(' tail')).length;
          if (out.filter((l) => l && (!l.startsWith('0 ') || l.endsWith(' tail'))).length >= expected && running >= tails) break;
          await new Promise((res) => setTimeout(res, 50));
        }
        if (round === 0) continue; // warm-up
        samples[key].push(r.ms);
        settle[key].push(r.ms + performance.now() - t);
        log(`round ${round}: ${home} HOME, ${mode}: restore ${Math.round(r.ms)} ms, every prompt drawn after ~${Math.round(settle[key].at(-1)!)} ms`);
      }
    }
    await killAndWait(server);
  } finally {
    disposeAllServers();
  }
  const med = (k: Key) => median(samples[k]);
  const ratio = (m: Mode) => med(`rc-${m}`) / med(`empty-${m}`);
  const results = {
    panes: expected,
    rerunPanes: Math.ceil(expected / shape.programEvery),
    rcCpuMsPerShell: Math.round(heavy.measuredMs),
    restoreMs: Object.fromEntries(Object.keys(samples).map((k) => [k, Math.round(med(k as Key))])),
    samplesMs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map(Math.round)])),
    untilEveryPromptMs: Object.fromEntries(Object.entries(settle).map(([k, v]) => [k, Math.round(median(v))])),
    ratio: Math.round(ratio('commands') * 100) / 100,
    ratioNoCommands: Math.round(ratio('shells') * 100) / 100,
    targetRatio: RC_BENCH.targetRatio,
    loadAvg: readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' '),
  };
  return {
    name: 'rc',
    results,
    summary: [
      `${expected}-pane restore (${results.rerunPanes} panes re-run tail -f) with rc files costing ${results.rcCpuMsPerShell} ms CPU per shell: ${Math.round(med('rc-commands'))} ms vs ${Math.round(med('empty-commands'))} ms with an empty HOME (median of ${RC_BENCH.runs}, interleaved) = ×${ratio('commands').toFixed(2)} — target ≤ ×${RC_BENCH.targetRatio} ${verdict(ratio('commands') <= RC_BENCH.targetRatio)}`,
      `${expected}-pane restore --no-commands (the build alone, no shell waited for): ${Math.round(med('rc-shells'))} ms vs ${Math.round(med('empty-shells'))} ms = ×${ratio('shells').toFixed(2)}`,
      `${expected}-pane every prompt drawn (the shells' own start-up, not tsession's): ${results.untilEveryPromptMs['rc-commands']} ms with rc files, ${results.untilEveryPromptMs['empty-commands']} ms empty; load ${results.loadAvg}`,
    ],
  };
}
