/**
 * The watch daemon (`tsession --watch`) as a person meets it:
 *
 * - save inside the daemon, 400-pane fixture with default contents (2,000
 *   lines): the journal's duration of saves caused by a `rename-window`,
 *   against a whole `tsession save` process on the same server, interleaved
 *   (the daemon pays no node start-up and keeps its store open);
 * - change → checkpoint: `rename-window` → the daemon's save line on stderr.
 *   The 1 s quiet time that merges a burst of changes is by design and is
 *   reported apart (latency minus quiet time = the daemon's own work);
 * - crash → noticed: SIGKILL of the server → the daemon's `server-crashed`
 *   line, against the floor of a bare `tmux -C attach` client's end of
 *   output in the same run (nobody can know sooner), and the expected wait
 *   of a 1 s poller (500 ms).
 *
 * - following output (`--markers`): CPU the daemon spends while a pane
 *   prints ~20 MB, against the tmux server's own CPU for the same output
 *   (the floor: tmux must read and parse it anyway), and against the
 *   daemon without `--markers`.
 *
 * Servers are isolated (`-L tsession-bench-…`, `-f /dev/null`, private
 * HOME) and killed at the end.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFixture, FIXTURES } from './fixture.js';
import { median, repoRoot, type BenchSection } from './harness.js';
import { killDaemons, serverPid, startDaemon, waitClient } from './daemon-driver.js';
import { createBenchServer, disposeAllServers, timedSpawn, type BenchServer } from './save-restore-tmux.js';

const WATCH_BENCH = {
  saveRuns: 9,
  crashRuns: 7,
  outputRuns: 3,
  outputBytes: 20_000_000,
  quietMs: 1_000,
  pollerMs: 1_000,
  timeoutMs: 60_000,
} as const;

/** When a bare control client's output ends after `kill`, in ms after `t0`. */
function bareClient(server: BenchServer): { ended: Promise<number> } {
  const c = spawn('tmux', [...server.tmuxArgs, '-C', 'attach', '-f', 'no-output,ignore-size,read-only'], { env: server.env, stdio: ['pipe', 'pipe', 'ignore'] });
  c.stdout!.resume();
  return { ended: new Promise((resolve) => c.stdout!.once('end', () => resolve(performance.now()))) };
}

/** CPU time (user + system) of a process so far, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S;
}
const TICKS_PER_S = 100;

/** CPU of the daemon and of the tmux server while a pane prints `bytes` of base64, ms. */
async function outputCost(cli: string, markers: boolean, bytes: number): Promise<{ daemonMs: number; serverMs: number; wallMs: number }> {
  const server = createBenchServer();
  try {
    server.tmux('new-session', '-d', '-s', 'loud', '-x', '160', '-y', '48');
    const d = startDaemon(cli, server, markers ? ['--markers'] : [], WATCH_BENCH.timeoutMs);
    await d.next(0, (e) => e.what === 'save');
    await new Promise((r) => setTimeout(r, 500));
    const tmuxPid = serverPid(server);
    const [d0, s0] = [cpuMs(d.pid), cpuMs(tmuxPid)];
    const t0 = performance.now();
    server.tmux('send-keys', '-t', 'loud', `head -c ${Math.round((bytes * 3) / 4)} /dev/zero | base64; echo BENCH-$((6 * 7))`, 'Enter');
    const deadline = performance.now() + WATCH_BENCH.timeoutMs * 5;
    while (!server.tmux('capture-pane', '-p', '-t', 'loud').includes('BENCH-42')) {
      if (performance.now() > deadline) throw new Error('Expected the pane to finish printing');
      await new Promise((r) => setTimeout(r, 50));
    }
    const wallMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 300)); // the daemon's last chunks
    const result = { daemonMs: cpuMs(d.pid) - d0, serverMs: cpuMs(tmuxPid) - s0, wallMs };
    await d.stop();
    return result;
  } finally {
    server.dispose();
  }
}


export async function bench(): Promise<BenchSection> {
  const cli = join(repoRoot(), 'dist', 'tsession.cjs');
  const results: Record<string, unknown> = {};
  const summary: string[] = [];
  try {
    // 1 + 2: saves on the 400-pane fixture.
    const big = createBenchServer();
    await buildFixture({ tmuxArgs: big.tmuxArgs, env: big.env }, FIXTURES.p400, join(big.home, 'fixture'));
    const d = startDaemon(cli, big, [], WATCH_BENCH.timeoutMs);
    await d.next(0, (e) => e.what === 'save' && e.result === 'ok');
    const inDaemon: number[] = [];
    const latency: number[] = [];
    const cliSave: number[] = [];
    for (let i = 0; i < WATCH_BENCH.saveRuns; i++) {
      const from = d.lines.length;
      const t0 = performance.now();
      big.tmux('rename-window', '-t', 'fx0:0', `bench-${i}`);
      const saved = await d.next(from, (e) => e.what === 'save' && e.result === 'ok' && (e.cause ?? '').includes('window-renamed'));
      latency.push(saved.t - t0);
      inDaemon.push(saved.entry.durationMs ?? NaN);
      const r = timedSpawn(process.execPath, [cli, ...big.tmuxArgs, 'save', '--json'], big.env);
      if (r.status !== 0) throw new Error(`Expected tsession save to succeed, got ${r.status}: ${r.stderr}`);
      cliSave.push(r.ms);
    }
    await d.stop();
    big.dispose();
    const saveRatio = median(inDaemon) / median(cliSave);
    results.save400 = { inDaemonMs: median(inDaemon), cliProcessMs: median(cliSave), ratio: saveRatio, samples: { inDaemon, cliSave } };
    results.changeToCheckpoint400 = { ms: median(latency), quietMs: WATCH_BENCH.quietMs, ownWorkMs: median(latency) - WATCH_BENCH.quietMs, samples: latency };
    summary.push(
      `400-pane save with contents: in the daemon ${median(inDaemon).toFixed(0)} ms vs a \`tsession save\` process ${median(cliSave).toFixed(0)} ms (×${saveRatio.toFixed(2)})`,
      `rename-window → checkpoint written: ${median(latency).toFixed(0)} ms (of which ${WATCH_BENCH.quietMs} ms is the quiet time that merges a burst)`,
    );

    // 3: crash → noticed, on a small server restarted between runs.
    const small = createBenchServer();
    small.tmux('new-session', '-d', '-s', 'crash', '-x', '80', '-y', '24');
    const w = startDaemon(cli, small, [], WATCH_BENCH.timeoutMs);
    await w.next(0, (e) => e.what === 'save' && e.result === 'ok');
    await waitClient(small, WATCH_BENCH.timeoutMs);
    const daemon: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < WATCH_BENCH.crashRuns; i++) {
      const client = bareClient(small);
      await new Promise((r) => setTimeout(r, 200)); // the bare client is attached
      const from = w.lines.length;
      const t0 = performance.now();
      process.kill(serverPid(small), 'SIGKILL');
      const seen = await w.next(from, (e) => e.what === 'server-crashed');
      daemon.push(seen.t - t0);
      bare.push((await client.ended) - t0);
      small.tmux('new-session', '-d', '-s', 'crash', '-x', '80', '-y', '24');
      // The daemon is back once its control client is (its save may find nothing changed and write nothing).
      await waitClient(small, WATCH_BENCH.timeoutMs);
    }
    await w.stop();
    small.dispose();
    const crashRatio = median(daemon) / median(bare);
    results.crashNotice = { daemonMs: median(daemon), bareClientMs: median(bare), ratio: crashRatio, pollerExpectedMs: WATCH_BENCH.pollerMs / 2, samples: { daemon, bare } };
    summary.push(
      `SIGKILLed server → journal 'server-crashed': ${median(daemon).toFixed(0)} ms vs a bare control client's end ${median(bare).toFixed(1)} ms (floor), a 1 s poller ~${WATCH_BENCH.pollerMs / 2} ms`,
    );

    // 4: the cost of following output.
    const mb = WATCH_BENCH.outputBytes / 1e6;
    const plain: Awaited<ReturnType<typeof outputCost>>[] = [];
    const following: Awaited<ReturnType<typeof outputCost>>[] = [];
    for (let i = 0; i < WATCH_BENCH.outputRuns; i++) {
      plain.push(await outputCost(cli, false, WATCH_BENCH.outputBytes));
      following.push(await outputCost(cli, true, WATCH_BENCH.outputBytes));
    }
    const med = (xs: typeof plain, k: keyof (typeof plain)[number]) => median(xs.map((x) => x[k]));
    results.markers = {
      megabytes: mb,
      withMarkers: { daemonCpuMs: med(following, 'daemonMs'), serverCpuMs: med(following, 'serverMs'), wallMs: med(following, 'wallMs') },
      without: { daemonCpuMs: med(plain, 'daemonMs'), serverCpuMs: med(plain, 'serverMs'), wallMs: med(plain, 'wallMs') },
      ratioToServer: med(following, 'daemonMs') / med(following, 'serverMs'),
      samples: { plain, following },
    };
    summary.push(
      `--markers while a pane prints ${mb} MB: daemon CPU ${med(following, 'daemonMs').toFixed(0)} ms vs the tmux server's ${med(following, 'serverMs').toFixed(0)} ms (×${(med(following, 'daemonMs') / med(following, 'serverMs')).toFixed(2)}); without --markers ${med(plain, 'daemonMs').toFixed(0)} ms; wall ${med(following, 'wallMs').toFixed(0)} vs ${med(plain, 'wallMs').toFixed(0)} ms`,
    );
  } finally {
    killDaemons();
    disposeAllServers();
  }
  return { name: 'watch', results, summary };
}
