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
import { ptyHostLockFile, ptyKeeperLockFile, ptyStoreDir, resolvePaths } from '../checkpoints/paths.js';
import { HostConnection, type PtyHostAccess } from '../src/ops/pty-client.js';
import { MIRROR_REST } from '../src/pty-host/host-session.js';
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

/** A process's RSS; NaN once it is gone (or a zombie, which has none). */
const rssMiB = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: readonly number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

/** Run `argv` on a pty and time the bytes between START and END markers; resolves with ms and bytes between them. */
function timeFlood(file: string, args: string[], env: Record<string, string>, cwd: string): Promise<{ ms: number; bytes: number; total: number }> {
  return new Promise((resolve) => {
    const p = pty.spawn(file, args, { cols: 120, rows: 40, env, cwd, name: 'xterm-256color', encoding: null });
    let t0 = 0;
    let bytes = 0;
    let total = 0;
    let tail = '';
    p.onData((d) => {
      const chunk = d as unknown as Buffer;
      total += chunk.length;
      const text = tail + chunk.toString('latin1');
      if (t0 < 0) return;
      if (!t0) {
        const at = text.indexOf('FLOOD-START');
        if (at >= 0) {
          t0 = performance.now();
          bytes = text.length - at;
        }
      } else bytes += chunk.length;
      if (t0 && text.includes('FLOOD-END')) {
        const ms = performance.now() - t0;
        // The rest of the program's bytes (the marker's line end), for the total.
        setTimeout(() => {
          p.kill('SIGKILL');
          resolve({ ms, bytes, total });
        }, 200);
        t0 = -1;
      }
      tail = text.slice(-16);
    });
  });
}

/** The host's view of one session (output bytes the mirror took), asked over an open connection. */
async function hostView(conn: HostConnection, name: string): Promise<{ outputBytes: number; lostBytes: number } | undefined> {
  return (await conn.request({ type: 'list' }, ['sessions'])).sessions.find((s) => s.name === name);
}

async function throughput(w: World) {
  const n = PTY_BENCH.floodBytes;
  // The same program for all: a marker, n bytes of 64-byte lines, a marker; it ends a second later.
  const script = `sleep 0.5; echo FLOOD-START; yes 'the quick brown fox jumps over the lazy dog 0123456789 abcdefgh' | head -c ${n}; echo FLOOD-END; sleep 1`;
  const floor: number[] = [];
  const peer: number[] = [];
  const attached: number[] = [];
  const mirror: number[] = [];
  const bytes: Record<string, number> = {};
  let mirrorBytes = { outputBytes: 0, lostBytes: 0 };
  const droppedPerRun: number[] = [];
  let totalBytes = 0;
  const hasDtach = spawnSync('dtach', ['--help']).error === undefined;
  w.cli(['new', 'warm', '-d']);
  for (let i = 0; i < PTY_BENCH.throughputRuns; i++) {
    const f = await timeFlood('sh', ['-c', script], w.env, w.home);
    floor.push(f.ms);
    bytes.nodePty = f.bytes;
    totalBytes = f.total;
    if (hasDtach) {
      const d = await timeFlood('dtach', ['-c', join(w.home, `dtach-${i}`), '-z', '-r', 'none', 'sh', '-c', script], w.env, w.home);
      peer.push(d.ms);
      bytes.dtach = d.bytes;
    }
    // Through the host to an attached client (which may skip backlog for a fresh screen: that is flow control).
    const t = await timeFlood(process.execPath, [CLI, 'new', `flood-${i}`, '--', 'sh', '-c', script], w.env, w.home);
    attached.push(t.ms);
    bytes.tsessionClient = t.bytes;
    // Into the host's mirror with nobody attached: every byte must arrive (offset = what the program wrote).
    // One connection asked every 20 ms (a new connection each time would load the host being measured).
    w.cli(['new', `mirror-${i}`, '-d', '--', 'sh', '-c', script]);
    const conn = await HostConnection.open(w.access, { start: false });
    let t0 = 0;
    let v = await hostView(conn, `mirror-${i}`);
    const deadline = performance.now() + 60_000;
    while ((v?.outputBytes ?? 0) < totalBytes && performance.now() < deadline) {
      if (!t0 && (v?.outputBytes ?? 0) > 0) t0 = performance.now();
      await sleep(20);
      v = await hostView(conn, `mirror-${i}`);
    }
    // Received is not parsed: a peek answers once every byte so far is on the mirror's screen.
    await conn.request({ type: 'peek', name: `mirror-${i}`, ansi: false }, ['peeked']);
    mirror.push(performance.now() - t0);
    conn.close();
    mirrorBytes = v ?? mirrorBytes;
    // Dropped: bytes that never reached the mirror — short of what the program wrote, or skipped
    // because they fell off the keeper's ring while the host lagged (the offset counts those as passed).
    droppedPerRun.push(Math.max(0, totalBytes - (v?.outputBytes ?? 0)) + (v?.lostBytes ?? 0));
    for (const name of [`flood-${i}`, `mirror-${i}`]) w.cli(['kill', name, '--yes']);
  }
  const mibs = (ms: number) => n / 1024 / 1024 / (ms / 1000);
  return {
    floodMiB: n / 1024 / 1024,
    nodePtyMs: r1(median(floor)),
    dtachMs: peer.length ? r1(median(peer)) : null,
    attachedMs: r1(median(attached)),
    mirrorMs: r1(median(mirror)),
    nodePtyMiBs: r1(mibs(median(floor))),
    dtachMiBs: peer.length ? r1(mibs(median(peer))) : null,
    attachedMiBs: r1(mibs(median(attached))),
    mirrorMiBs: r1(mibs(median(mirror))),
    programBytes: totalBytes,
    mirrorBytes,
    mirrorDroppedPerRun: droppedPerRun,
    bytesBetweenMarkers: bytes,
  };
}

/** Connect, hello, attach: until the screen (and until the scrollback when asked). */
async function reattachOnce(w: World, name: string, withHistory: boolean): Promise<{ screenMs: number; allMs: number }> {
  const t0 = performance.now();
  const conn = await HostConnection.open(w.access, { start: false });
  const done = new Promise<number>((resolve) => {
    conn.onMessage = (m) => {
      if (m.type === 'history') resolve(performance.now() - t0);
    };
  });
  await conn.request({ type: 'attach', name, cols: 120, rows: 40, readOnly: true }, ['attached']);
  const screenMs = performance.now() - t0;
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

/**
 * Host RSS per idle session. Sessions are measured once idle (no output for
 * long enough that their mirrors rest, MIRROR_REST) in two batches of 20:
 * the first from a host with one session, the second on top of it. The
 * first batch's figure also holds what the host keeps from that burst and
 * never hands back (V8's young generation grows from ~1 to 32 MiB under
 * the burst; freed memory stays in the allocator for reuse), so the second
 * batch — the same sessions on a host that has seen such a burst — is the
 * cost of one more idle session. Both are printed.
 */
async function memory(w: World) {
  const idleWait = 2 * MIRROR_REST.idleMs + 2_000;
  const batch = (from: number) => {
    for (let i = from; i < from + PTY_BENCH.idleSessions; i++) {
      w.cli(['new', `idle-${i}`, '-d', '--', 'sh', '-c', `seq 1 ${PTY_BENCH.idleLines} | sed "s/^/idle line with some text /"; sleep 600`]);
    }
  };
  w.cli(['new', 'first', '-d', '--', 'sh', '-c', 'sleep 600']);
  await sleep(1_000);
  const host = (await w.pid('host'))!;
  const keeper = (await w.pid('keeper'))!;
  await sleep(1_500);
  const before = rssMiB(host);
  const keeperBefore = rssMiB(keeper);
  batch(0);
  await sleep(3_000);
  const busy20 = rssMiB(host);
  await sleep(idleWait - 3_000);
  const idle20 = rssMiB(host);
  batch(PTY_BENCH.idleSessions);
  await sleep(idleWait);
  const idle40 = rssMiB(host);
  const n = PTY_BENCH.idleSessions;
  // A host or keeper that died during the phase (a figure would be NaN or another process's): say so, with why.
  const restarted = (await w.pid('host')) !== host || (await w.pid('keeper')) !== keeper;
  const store = ptyStoreDir(w.access.stateDir);
  const tail = (file: string) => {
    try {
      return readFileSync(join(store, file), 'utf8').trim().split('\n').slice(-8);
    } catch {
      return [];
    }
  };
  return {
    ...(restarted ? { restarted: { journal: tail('journal.jsonl'), keeperLog: tail('keeper.log'), hostLog: tail('host.log') } } : {}),
    hostRssEmptyMiB: r1(before),
    hostRss20JustCreatedMiB: r1(busy20),
    hostRss20MiB: r1(idle20),
    hostRss40MiB: r1(idle40),
    perIdleSessionMiB: r2((idle40 - idle20) / n),
    perIdleSessionFirst20MiB: r2((idle20 - before) / n),
    keeperRssEmptyMiB: r1(keeperBefore),
    keeperRss40MiB: r1(rssMiB(keeper)),
  };
}

/** Time from a kill to the attached client showing the screen again (host) or a revived prompt (keeper). */
async function recovery(w: World, kill: 'host' | 'keeper'): Promise<number[]> {
  const out: number[] = [];
  const plain = (t: string) => t.replace(/\x1b\[[0-9;?!]*[A-Za-z]|\x1b\][^\x07]*\x07/g, '');
  for (let i = 0; i < PTY_BENCH.killRuns; i++) {
    const name = `rec-${kill}-${i}`;
    w.cli(['new', name, '-d', '--cwd', w.home]);
    const p = pty.spawn(process.execPath, [CLI, 'attach', name], { cols: 80, rows: 24, env: w.env, cwd: w.home, name: 'xterm-256color' });
    let seen = '';
    p.onData((d) => (seen += d));
    const ready = Date.now() + 10_000;
    while (!/[$#] $/.test(plain(seen)) && Date.now() < ready) await sleep(10);
    await sleep(200);
    seen = '';
    const victim = (await w.pid(kill))!;
    const t0 = performance.now();
    process.kill(victim, 'SIGKILL');
    const redrawn = () => {
      const at = seen.indexOf('reconnecting');
      if (at < 0) return false;
      const after = seen.slice(at);
      // Host: a fresh screen painted after "reconnecting…". Keeper: the "restored" line and a new prompt under it.
      return kill === 'host' ? after.includes('\x1b[2J') && /[$#] $/.test(plain(after)) : /restored[^]*[$#] $/.test(plain(after));
    };
    while (!redrawn() && performance.now() - t0 < 15_000) await sleep(2);
    out.push(performance.now() - t0);
    p.kill('SIGKILL');
    await sleep(300);
  }
  return out;
}

/** Run `fn` in a world of its own, so one phase's leftovers (heap, sessions) never weigh on the next. */
async function inWorld<T>(fn: (w: World) => Promise<T>): Promise<T> {
  const w = world();
  try {
    return await fn(w);
  } finally {
    await w.destroy();
  }
}

export async function bench(): Promise<BenchSection> {
  const T = PTY_BENCH.targets;
  const mem = await inWorld(memory);
  const { hostKill, keeperKill } = await inWorld(async (w) => ({ hostKill: await recovery(w, 'host'), keeperKill: await recovery(w, 'keeper') }));
  const ra = await inWorld(reattach);
  const ec = await inWorld(echo);
  const tp = await inWorld(throughput);
  const results = {
    throughput: tp,
    reattach: ra,
    echo: ec,
    memory: mem,
    hostKillRedrawMs: { p50: r1(median(hostKill)), max: r1(Math.max(...hostKill)), runs: hostKill.map(r1) },
    keeperKillPromptMs: { p50: r1(median(keeperKill)), max: r1(Math.max(...keeperKill)), runs: keeperKill.map(r1) },
  };
  const dropped = tp.mirrorDroppedPerRun.reduce((a, b) => a + b, 0);
  const summary = [
    `throughput into the host's mirror (${tp.floodMiB} MiB of lines, nobody attached): ${tp.mirrorMiBs} MiB/s, ${dropped} bytes dropped in ${tp.mirrorDroppedPerRun.length} runs (target ≥ ${T.throughputMiBs} MiB/s, 0 dropped) ${verdict(tp.mirrorMiBs >= T.throughputMiBs && dropped === 0)}`,
    `  through an attached client: ${tp.attachedMiBs} MiB/s; peer dtach ${tp.dtachMiBs ?? 'n/a'} MiB/s; floor node-pty alone ${tp.nodePtyMiBs} MiB/s; bytes the client got: ${JSON.stringify(tp.bytesBetweenMarkers)}`,
    `reattach, screen: p50 ${ra.screenP50} ms, p99 ${ra.screenP99} ms (targets ≤ ${T.reattachP50} / ≤ ${T.reattachP99}) ${verdict(ra.screenP50 <= T.reattachP50 && ra.screenP99 <= T.reattachP99)}`,
    `reattach with 10,000 lines: screen p50 ${ra.bigScreenP50} ms, all p50 ${ra.bigAllP50} ms (target ≤ ${T.bigReattachP50}) ${verdict(ra.bigAllP50 <= T.bigReattachP50)}`,
    `keystroke echo: node-pty ${ec.nodePtyP50} ms, through tsession ${ec.tsessionP50} ms p50: +${ec.addedP50} ms (target ≤ ${T.echoAddedMs}) ${verdict(ec.addedP50 <= T.echoAddedMs)}`,
    `memory: ${mem.perIdleSessionMiB} MiB per idle session with ${PTY_BENCH.idleLines} lines (${PTY_BENCH.idleSessions} more on a host that has ${PTY_BENCH.idleSessions}; target ≤ ${T.idleMiB}) ${verdict(mem.perIdleSessionMiB <= T.idleMiB)}; the first ${PTY_BENCH.idleSessions} on a fresh host ${mem.perIdleSessionFirst20MiB} MiB each (with the burst's high-water)`,
    ...(mem.restarted ? [`  the host or keeper died during the memory phase (figures invalid): ${JSON.stringify(mem.restarted)}`] : []),
    `  host RSS ${mem.hostRssEmptyMiB} MiB with 1 session → ${mem.hostRss20JustCreatedMiB} with 20 just created → ${mem.hostRss20MiB} with 20 idle → ${mem.hostRss40MiB} with 40 idle; keeper RSS ${mem.keeperRssEmptyMiB} → ${mem.keeperRss40MiB} MiB`,
    `host SIGKILL → client redrawn: p50 ${results.hostKillRedrawMs.p50} ms, max ${results.hostKillRedrawMs.max} ms (target ≤ ${T.reconnectMs}) ${verdict(results.hostKillRedrawMs.max <= T.reconnectMs)}`,
    `keeper SIGKILL (shells gone) → revived prompt: p50 ${results.keeperKillPromptMs.p50} ms, max ${results.keeperKillPromptMs.max} ms (target ≤ 1000 p99) ${verdict(results.keeperKillPromptMs.max <= 1000)}`,
  ];
  return { name: 'pty', results, summary };
}
