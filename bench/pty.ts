/**
 * `npm run bench pty`: tsession's own PTY sessions against dtach (the peer
 * for "keep a terminal alive and reattach") and raw node-pty (the floor),
 * all in one run on this machine, in a private HOME/XDG world:
 * - throughput of one busy session through keeper → host (mirror) → attach
 *   client, against dtach and node-pty alone, and the bytes that arrived;
 * - reattach: connect + hello + attach until the screen, p50/p99, and with
 *   10,000 lines of scrollback until the scrollback too;
 * - keystroke echo through an attached client against node-pty alone;
 * - memory: host RSS per idle session with 1,000 lines, host RSS with 20
 *   sessions, the keeper's RSS;
 * - host SIGKILL → the attached client redrawn; keeper SIGKILL (shells
 *   gone) → a new prompt in the saved cwd.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { readHolder } from '../checkpoints/lock.js';
import { ptyHostLockFile, ptyKeeperLockFile, resolvePaths } from '../checkpoints/paths.js';
import { HostConnection, type PtyHostAccess } from '../src/ops/pty-client.js';
import { median, repoRoot, verdict, type BenchSection } from './harness.js';

/** Tunables of this section. */
const PTY_BENCH = {
  /** Bytes the busy session writes. */
  floodBytes: 32 * 1024 * 1024,
  throughputRuns: 3,
  reattachRuns: 60,
  echoKeys: 200,
  idleSessions: 20,
  idleLines: 1_000,
  killRuns: 5,
  targets: { throughputMiBs: 30, reattachP50: 5, reattachP99: 20, bigReattachP50: 100, echoAddedMs: 1, idleMiB: 2, reconnectMs: 1_000 },
} as const;

const CLI = join(repoRoot(), 'dist', 'tsession.cjs');

interface World {
  readonly home: string;
  readonly env: Record<string, string>;
  readonly access: PtyHostAccess;
  cli(args: string[]): string;
  pid(which: 'host' | 'keeper'): Promise<number | null>;
  destroy(): Promise<void>;
}

function world(): World {
  const home = mkdtempSync(join(tmpdir(), 'tsession-bench-pty-'));
  for (const rc of ['.bashrc', '.profile']) writeFileSync(join(home, rc), '');
  mkdirSync(join(home, 'run'), { mode: 0o700 });
  mkdirSync(join(home, '.config', 'tsession'), { recursive: true });
  // 10,000 lines of scrollback for the big reattach.
  writeFileSync(join(home, '.config', 'tsession', 'config.json'), JSON.stringify({ pty: { scrollback: 10_000 } }));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_RUNTIME_DIR: join(home, 'run'),
    SHELL: '/bin/bash',
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    PS1: '$ ',
  };
  const paths = resolvePaths({ env, uid: process.getuid?.() ?? 0, cwd: home });
  const pid = async (which: 'host' | 'keeper') =>
    (await readHolder(which === 'host' ? ptyHostLockFile(paths.runtimeDir) : ptyKeeperLockFile(paths.runtimeDir)))?.pid ?? null;
  return {
    home,
    env,
    access: { runtimeDir: paths.runtimeDir, stateDir: paths.stateDir, selfCommand: [process.execPath, CLI], env },
    cli: (args) => {
      const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', cwd: home });
      if (r.status !== 0) throw new Error(`tsession ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    },
    pid,
    async destroy() {
      for (const p of [await pid('host'), await pid('keeper')]) {
        try {
          if (p) process.kill(p, 'SIGKILL');
        } catch {
          // gone
        }
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

const rssMiB = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: readonly number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

/** Run `argv` on a pty and time the bytes between START and END markers; resolves with ms and bytes between them. */
function timeFlood(file: string, args: string[], env: Record<string, string>, cwd: string): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve) => {
    const p = pty.spawn(file, args, { cols: 120, rows: 40, env, cwd, name: 'xterm-256color', encoding: null });
    let t0 = 0;
    let bytes = 0;
    let tail = '';
    p.onData((d) => {
      const chunk = d as unknown as Buffer;
      const text = tail + chunk.toString('latin1');
      if (!t0) {
        const at = text.indexOf('FLOOD-START');
        if (at >= 0) {
          t0 = performance.now();
          bytes = text.length - at;
        }
      } else bytes += chunk.length;
      if (t0 && text.includes('FLOOD-END')) {
        const ms = performance.now() - t0;
        p.kill('SIGKILL');
        resolve({ ms, bytes });
      }
      tail = text.slice(-16);
    });
  });
}

async function throughput(w: World) {
  const n = PTY_BENCH.floodBytes;
  // The same program for all three: a marker, n bytes of 64-byte lines, a marker.
  const script = `sleep 0.5; echo FLOOD-START; yes 'the quick brown fox jumps over the lazy dog 0123456789 abcdefgh' | head -c ${n}; echo FLOOD-END; sleep 600`;
  const floor: number[] = [];
  const peer: number[] = [];
  const ours: number[] = [];
  const bytes: Record<string, number> = {};
  const hasDtach = spawnSync('dtach', ['--help']).error === undefined;
  w.cli(['new', 'warm', '-d']);
  for (let i = 0; i < PTY_BENCH.throughputRuns; i++) {
    const f = await timeFlood('sh', ['-c', script], w.env, w.home);
    floor.push(f.ms);
    bytes.floor = f.bytes;
    if (hasDtach) {
      const sock = join(w.home, `dtach-${i}`);
      const d = await timeFlood('dtach', ['-c', sock, '-z', '-r', 'none', 'sh', '-c', script], w.env, w.home);
      peer.push(d.ms);
      bytes.dtach = d.bytes;
    }
    const t = await timeFlood(process.execPath, [CLI, 'new', `flood-${i}`, '--', 'sh', '-c', script], w.env, w.home);
    ours.push(t.ms);
    bytes.tsession = t.bytes;
    w.cli(['kill', `flood-${i}`, '--yes']);
  }
  const mibs = (ms: number) => n / 1024 / 1024 / (ms / 1000);
  return {
    floodMiB: n / 1024 / 1024,
    nodePtyMs: r1(median(floor)),
    dtachMs: peer.length ? r1(median(peer)) : null,
    tsessionMs: r1(median(ours)),
    nodePtyMiBs: r1(mibs(median(floor))),
    dtachMiBs: peer.length ? r1(mibs(median(peer))) : null,
    tsessionMiBs: r1(mibs(median(ours))),
    bytesArrived: bytes,
  };
}

/** Connect, hello, attach: until the screen (and until the scrollback when asked). */
async function reattachOnce(w: World, name: string, withHistory: boolean): Promise<{ screenMs: number; allMs: number }> {
  const t0 = performance.now();
  const conn = await HostConnection.open(w.access, { start: false });
  let screenMs = 0;
  const done = new Promise<number>((resolve) => {
    conn.onMessage = (m) => {
      if (m.type === 'history') resolve(performance.now() - t0);
    };
  });
  await conn.request({ type: 'attach', name, cols: 120, rows: 40, readOnly: true }, ['attached']);
  screenMs = performance.now() - t0;
  const allMs = withHistory ? await done : screenMs;
  conn.close();
  return { screenMs, allMs };
}

async function reattach(w: World) {
  w.cli(['new', 'small', '-d', '--', 'sh', '-c', "seq 1 30; printf '\\033[1;32mready\\033[0m\\n'; sleep 600"]);
  w.cli(['new', 'big', '-d', '--', 'sh', '-c', 'seq 1 10000 | sed "s/^/scrollback line /"; sleep 600']);
  await sleep(2_000);
  const small: number[] = [];
  const bigScreen: number[] = [];
  const bigAll: number[] = [];
  for (let i = 0; i < 5; i++) await reattachOnce(w, 'small', false);
  for (let i = 0; i < PTY_BENCH.reattachRuns; i++) small.push((await reattachOnce(w, 'small', false)).screenMs);
  for (let i = 0; i < 20; i++) {
    const r = await reattachOnce(w, 'big', true);
    bigScreen.push(r.screenMs);
    bigAll.push(r.allMs);
  }
  return {
    screenP50: r2(median(small)),
    screenP99: r2(pct(small, 99)),
    bigScreenP50: r2(median(bigScreen)),
    bigAllP50: r2(median(bigAll)),
    bigAllP99: r2(pct(bigAll, 99)),
  };
}

/** Median echo time of single keys typed into `file args` on a pty (cat echoes them). */
function echoLatency(file: string, args: string[], env: Record<string, string>, cwd: string, ready: string): Promise<number[]> {
  return new Promise((resolve) => {
    const p = pty.spawn(file, args, { cols: 80, rows: 24, env, cwd, name: 'xterm-256color' });
    const times: number[] = [];
    let seen = '';
    let waiting: { key: string; t0: number } | null = null;
    let started = false;
    const next = () => {
      if (times.length >= PTY_BENCH.echoKeys) {
        p.kill('SIGKILL');
        resolve(times.slice(10));
        return;
      }
      const key = String.fromCharCode(97 + (times.length % 26));
      waiting = { key, t0: performance.now() };
      p.write(key);
    };
    p.onData((d) => {
      seen += d;
      if (!started && seen.includes(ready)) {
        started = true;
        seen = '';
        setTimeout(next, 300);
        return;
      }
      if (waiting && seen.includes(waiting.key)) {
        times.push(performance.now() - waiting.t0);
        waiting = null;
        seen = '';
        setTimeout(next, 5);
      }
    });
  });
}

async function echo(w: World) {
  const script = 'stty -icanon; echo ECHO-READY; cat >/dev/null';
  const floor = await echoLatency('sh', ['-c', script], w.env, w.home, 'ECHO-READY');
  const ours = await echoLatency(process.execPath, [CLI, 'new', 'echo', '--', 'sh', '-c', script], w.env, w.home, 'ECHO-READY');
  w.cli(['kill', 'echo', '--yes']);
  return { nodePtyP50: r2(median(floor)), tsessionP50: r2(median(ours)), addedP50: r2(median(ours) - median(floor)), tsessionP99: r2(pct(ours, 99)) };
}

async function memory(w: World) {
  for (const name of ['small', 'big', 'warm']) w.cli(['kill', name, '--yes']);
  await sleep(1_000);
  const host = (await w.pid('host'))!;
  const keeper = (await w.pid('keeper'))!;
  const gc = () => sleep(1_500);
  await gc();
  const before = rssMiB(host);
  const keeperBefore = rssMiB(keeper);
  for (let i = 0; i < PTY_BENCH.idleSessions; i++) {
    w.cli(['new', `idle-${i}`, '-d', '--', 'sh', '-c', `seq 1 ${PTY_BENCH.idleLines} | sed "s/^/idle line with some text /"; sleep 600`]);
  }
  await sleep(3_000);
  const after = rssMiB(host);
  return {
    hostRssEmptyMiB: r1(before),
    hostRss20MiB: r1(after),
    perIdleSessionMiB: r2((after - before) / PTY_BENCH.idleSessions),
    keeperRssEmptyMiB: r1(keeperBefore),
    keeperRss20MiB: r1(rssMiB(keeper)),
  };
}

/** Time from a kill to the attached client showing the screen again. */
async function recovery(w: World, kill: 'host' | 'keeper'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < PTY_BENCH.killRuns; i++) {
    const name = `rec-${kill}-${i}`;
    const mark = `mark${i}${kill}`;
    w.cli(['new', name, '-d', '--cwd', w.home]);
    const p = pty.spawn(process.execPath, [CLI, 'attach', name], { cols: 80, rows: 24, env: w.env, cwd: w.home, name: 'xterm-256color' });
    let seen = '';
    p.onData((d) => (seen += d));
    p.write(`echo ${mark}\r`);
    const deadline = Date.now() + 10_000;
    while (!seen.includes(mark + '\r\n') && Date.now() < deadline) await sleep(10);
    await sleep(kill === 'keeper' ? 5_500 : 300); // the keeper case needs a checkpoint holding the mark
    seen = '';
    const victim = (await w.pid(kill))!;
    const t0 = performance.now();
    process.kill(victim, 'SIGKILL');
    // Redrawn: after "reconnecting…", a fresh screen paints the mark again (and, revived, a prompt below "restored").
    const want = kill === 'host' ? mark : 'restored';
    while (!(seen.includes('reconnecting') && seen.slice(seen.indexOf('reconnecting')).includes(want)) && performance.now() - t0 < 15_000) await sleep(5);
    if (kill === 'keeper') while (!/[$#] $/.test(seen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')) && performance.now() - t0 < 15_000) await sleep(5);
    out.push(performance.now() - t0);
    p.kill('SIGKILL');
    if (kill === 'keeper') await sleep(500);
  }
  return out;
}

export async function bench(): Promise<BenchSection> {
  const w = world();
  try {
    const T = PTY_BENCH.targets;
    const tp = await throughput(w);
    const ra = await reattach(w);
    const ec = await echo(w);
    const mem = await memory(w);
    const hostKill = await recovery(w, 'host');
    const pidsBefore = w.cli(['list', '--json']);
    const keeperKill = await recovery(w, 'keeper');
    const results = {
      throughput: tp,
      reattach: ra,
      echo: ec,
      memory: mem,
      hostKillRedrawMs: { p50: r1(median(hostKill)), max: r1(Math.max(...hostKill)) },
      keeperKillPromptMs: { p50: r1(median(keeperKill)), max: r1(Math.max(...keeperKill)) },
      listedBeforeKeeperKill: JSON.parse(pidsBefore).pty?.sessions?.length ?? null,
    };
    const summary = [
      `throughput (${tp.floodMiB} MiB of lines): tsession ${tp.tsessionMiBs} MiB/s, dtach ${tp.dtachMiBs ?? 'n/a'} MiB/s, node-pty alone ${tp.nodePtyMiBs} MiB/s (target ≥ ${T.throughputMiBs}) ${verdict(tp.tsessionMiBs >= T.throughputMiBs)}`,
      `  bytes between markers: ${JSON.stringify(tp.bytesArrived)}`,
      `reattach, screen: p50 ${ra.screenP50} ms, p99 ${ra.screenP99} ms (targets ≤ ${T.reattachP50} / ≤ ${T.reattachP99}) ${verdict(ra.screenP50 <= T.reattachP50 && ra.screenP99 <= T.reattachP99)}`,
      `reattach with 10,000 lines: screen p50 ${ra.bigScreenP50} ms, all p50 ${ra.bigAllP50} ms (target ≤ ${T.bigReattachP50}) ${verdict(ra.bigAllP50 <= T.bigReattachP50)}`,
      `keystroke echo: node-pty ${ec.nodePtyP50} ms, through tsession ${ec.tsessionP50} ms p50: +${ec.addedP50} ms (target ≤ ${T.echoAddedMs}) ${verdict(ec.addedP50 <= T.echoAddedMs)}`,
      `memory: ${mem.perIdleSessionMiB} MiB per idle session with ${PTY_BENCH.idleLines} lines (target ≤ ${T.idleMiB}) ${verdict(mem.perIdleSessionMiB <= T.idleMiB)}; host RSS ${mem.hostRssEmptyMiB} → ${mem.hostRss20MiB} MiB with 20 sessions; keeper RSS ${mem.keeperRssEmptyMiB} → ${mem.keeperRss20MiB} MiB`,
      `host SIGKILL → client redrawn: p50 ${results.hostKillRedrawMs.p50} ms, max ${results.hostKillRedrawMs.max} ms (target ≤ ${T.reconnectMs}) ${verdict(results.hostKillRedrawMs.max <= T.reconnectMs)}`,
      `keeper SIGKILL (shells gone) → revived prompt: p50 ${results.keeperKillPromptMs.p50} ms, max ${results.keeperKillPromptMs.max} ms (target ≤ 1000 p99) ${verdict(results.keeperKillPromptMs.max <= 1000)}`,
    ];
    return { name: 'pty', results, summary };
  } finally {
    await w.destroy();
  }
}
