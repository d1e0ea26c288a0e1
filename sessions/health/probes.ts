/**
 * Bounded health probes: a tmux round trip with a timeout, the server
 * process's state in /proc (found by its socket when tmux does not answer),
 * and per pane: a stopped foreground job, a writer held by flow control, a
 * program that ignores typed input. None of them can hang the caller: tmux
 * and the two tty helpers (stty, perl) run with timeouts, /proc is read
 * directly. Non-goals: judging (classify.ts), repairing (repair/).
 *
 * How each frozen state looks from outside is in TMUX-FACTS.md
 * ("Frozen states and how to see them from outside").
 */
import { spawn } from 'node:child_process';
import { setImmediate } from 'node:timers/promises';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { LiveServer } from '../live/types.js';
import { readLayout } from '../tmux/layout-read.js';
import { readArgv, readCwd, readStat, readSyscall } from '../proc/facts.js';
import { SYSCALLS } from '../proc/syscalls.js';
import type { ServerSpec } from '../tmux/server.js';
import { TmuxError } from '../tmux/errors.js';
import { readActivityAndClients } from '../tmux/queries.js';
import type { Observation, PaneFacts, ProcFacts, ServerFacts } from './classify.js';

/** Named limits of every probe. */
export const PROBE_LIMITS = {
  /** A healthy round trip takes ~5 ms, 100–660 ms under heavy load (TMUX-FACTS.md). */
  serverTimeoutMs: 1_500,
  /** stty / perl on a pane tty. */
  helperTimeoutMs: 1_000,
  /** A pane silent this long with input waiting and no reader is "not reading". */
  notReadingAfterMs: 30_000,
  /** /proc entries (or panes) read between yields to the event loop, so keys stay responsive. */
  procBatch: 64,
} as const;

/** The comm of a tmux server process (with a space; TMUX-FACTS.md). */
export const SERVER_COMM = 'tmux: server';

/** True when `p` sleeps in a write syscall (a blocked tty writer). */
export const inWrite = (p: ProcFacts): boolean => p.state === 'S' && p.syscall !== null && SYSCALLS.writes(p.syscall);
/** True when `p` sleeps waiting for input (read, poll, select, epoll). */
export const inRead = (p: ProcFacts): boolean => p.state === 'S' && p.syscall !== null && SYSCALLS.waitsForInput(p.syscall);

/** Read one process's state, sleeping function and syscall; null when gone. */
export function readProcFacts(pid: number, procRoot = '/proc'): ProcFacts | null {
  const st = readStat(pid, procRoot);
  if (!st) return null;
  let wchan: string | null = null;
  try {
    const w = readFileSync(`${procRoot}/${pid}/wchan`, 'latin1').trim();
    wchan = w && w !== '0' ? w : null;
  } catch {
    // unreadable: leave unknown
  }
  // A number, or unknown: on a CPU ('running') or refused (needs ptrace access).
  const nr = readSyscall(pid, procRoot);
  const syscall = typeof nr === 'number' ? nr : null;
  return { pid, comm: st.comm, state: st.state, wchan, syscall, cpuTicks: st.utime + st.stime };
}

const yieldToLoop = (): Promise<void> => setImmediate();

/** Numeric entries of /proc. */
function pids(procRoot: string): number[] {
  try {
    return readdirSync(procRoot).filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
}

/** Inodes of unix sockets bound to `socketPath` (from /proc/net/unix). */
export function socketInodes(socketPath: string, procRoot = '/proc'): Set<string> {
  const out = new Set<string>();
  let text: string;
  try {
    text = readFileSync(`${procRoot}/net/unix`, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // Num RefCount Protocol Flags Type St Inode Path
    if (f.length >= 8 && f.slice(7).join(' ') === socketPath) out.add(f[6]!);
  }
  return out;
}

/**
 * The pid of the tmux server listening on `socketPath`, found without asking
 * tmux: a process whose comm is "tmux: server" holding a socket bound to that
 * path. A `hint` (a pid seen before) is checked first.
 */
export async function findServerPid(socketPath: string, hint: number | null = null, procRoot = '/proc'): Promise<number | null> {
  const inodes = socketInodes(socketPath, procRoot);
  const holdsSocket = (pid: number): boolean => {
    let fds: string[];
    try {
      fds = readdirSync(`${procRoot}/${pid}/fd`);
    } catch {
      return false;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${procRoot}/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return true;
      } catch {
        // closed meanwhile
      }
    }
    return false;
  };
  const isServer = (pid: number): boolean => readStat(pid, procRoot)?.comm === SERVER_COMM;
  if (hint && isServer(hint) && (inodes.size === 0 || holdsSocket(hint))) return hint;
  const candidates: number[] = [];
  const all = pids(procRoot);
  for (let i = 0; i < all.length; i++) {
    if (i % PROBE_LIMITS.procBatch === 0 && i > 0) await yieldToLoop();
    const pid = all[i]!;
    try {
      if (readFileSync(`${procRoot}/${pid}/comm`, 'latin1').trim() === SERVER_COMM) candidates.push(pid);
    } catch {
      // gone
    }
  }
  for (const pid of candidates) if (inodes.size > 0 && holdsSocket(pid)) return pid;
  // Socket table unreadable: fall back to the command line that started it.
  if (inodes.size === 0) {
    const name = socketPath.slice(socketPath.lastIndexOf('/') + 1);
    for (const pid of candidates) {
      const argv = readArgv(pid, procRoot) ?? [];
      const at = (flag: string) => argv[argv.indexOf(flag) + 1];
      if (argv.includes('-S') ? at('-S') === socketPath : (argv.includes('-L') ? at('-L') : 'default') === name) return pid;
    }
  }
  return null;
}

/** A server answer: the layout, window activity times and people's clients. */
export type ServerAnswer =
  | {
      readonly kind: 'answered';
      readonly ms: number;
      readonly live: LiveServer;
      /** Window id → unix seconds of its last output. */
      readonly activity: ReadonlyMap<string, number>;
      /** Session name → attached clients that are not control-mode clients. */
      readonly clients: ReadonlyMap<string, number>;
    }
  | { readonly kind: 'no-server' | 'timeout' | 'refused' | 'error'; readonly ms: number; readonly message: string };

/** One bounded round trip: the whole layout plus activity and clients, in two parallel tmux calls. */
export async function probeServer(server: ServerSpec, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ServerAnswer> {
  const timeoutMs = opts.timeoutMs ?? PROBE_LIMITS.serverTimeoutMs;
  const run = { timeoutMs, ...(opts.env ? { env: opts.env } : {}) };
  const t0 = performance.now();
  try {
    // Each call settles on its own timeout, even against a stopped server
    // (client.ts settles on the timer, not on the pipe closing).
    const [live, { activity, clients }] = await Promise.all([readLayout(server, run), readActivityAndClients(server, run)]);
    const ms = performance.now() - t0;
    return { kind: 'answered', ms, live, activity, clients };
  } catch (e) {
    const ms = performance.now() - t0;
    if (e instanceof TmuxError) {
      const kind = e.kind === 'no-server' ? 'no-server' : e.kind === 'timeout' ? 'timeout' : e.kind === 'refused' ? 'refused' : 'error';
      return { kind, ms, message: e.message };
    }
    return { kind: 'error', ms, message: (e as Error).message };
  }
}

/** Run a helper program with a timeout; null when it is missing, fails or times out. */
function runHelper(file: string, args: readonly string[], timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    let out = '';
    let done = false;
    const finish = (v: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(v);
    };
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(null);
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => (out += b.toString('latin1')));
    child.on('error', () => finish(null));
    child.on('close', (code) => finish(code === 0 ? out : null));
  });
}

/** Whether the tty has `ixon` (`stty -F <tty> -a`); null when unknown. */
export async function ttyHasIxon(tty: string, timeoutMs: number = PROBE_LIMITS.helperTimeoutMs): Promise<boolean | null> {
  const out = await runHelper('stty', ['-F', tty, '-a'], timeoutMs);
  if (out === null) return null;
  const words = out.split(/[\s;]+/);
  if (words.includes('-ixon')) return false;
  return words.includes('ixon') ? true : null;
}

// FIONREAD (TIOCINQ) on a tty opened without becoming its controller and
// without blocking: bytes typed into the pane that nothing has read yet.
const QUEUED_SCRIPT =
  'use Fcntl; sysopen(my $f, $ARGV[0], O_RDONLY|O_NONBLOCK|O_NOCTTY) or exit 2; my $n = pack("L", 0); ioctl($f, 0x541B, $n) or exit 3; print unpack("L", $n);';

/** Bytes of input waiting unread on the tty (perl's ioctl); null when unknown. */
export async function ttyQueuedInput(tty: string, timeoutMs: number = PROBE_LIMITS.helperTimeoutMs): Promise<number | null> {
  const out = await runHelper('perl', ['-e', QUEUED_SCRIPT, tty], timeoutMs);
  return out !== null && /^\d+$/.test(out.trim()) ? Number(out.trim()) : null;
}

/** Options of a prober. */
export interface ProberOptions {
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly procRoot?: string;
  readonly notReadingAfterMs?: number;
  readonly now?: () => number;
  /** Replaceable tty helpers (tests). */
  readonly ixon?: (tty: string) => Promise<boolean | null>;
  readonly queued?: (tty: string) => Promise<number | null>;
}

/** Probes a server round after round, remembering what needs more than one round to prove. */
export interface Prober {
  /** One bounded round: server, then panes when the server answered. */
  round(): Promise<Observation>;
  /** The server pid last seen (from tmux or /proc). */
  readonly serverPid: number | null;
}

interface Streak {
  readonly pid: number;
  readonly cpuTicks: number;
  readonly rounds: number;
}

/** A prober for one server. */
export function createProber(server: ServerSpec, opts: ProberOptions = {}): Prober {
  const procRoot = opts.procRoot ?? '/proc';
  const timeoutMs = opts.timeoutMs ?? PROBE_LIMITS.serverTimeoutMs;
  const now = opts.now ?? Date.now;
  const notReadingAfter = opts.notReadingAfterMs ?? PROBE_LIMITS.notReadingAfterMs;
  const ixon = opts.ixon ?? ((tty: string) => ttyHasIxon(tty));
  const queued = opts.queued ?? ((tty: string) => ttyQueuedInput(tty));
  let serverPid: number | null = null;
  let lastLive: LiveServer | null = null;
  let timeouts = 0;
  let writers = new Map<string, Streak>();
  let silent = new Map<string, number>();

  const observePanes = async (live: LiveServer, activity: ReadonlyMap<string, number>, at: number): Promise<PaneFacts[]> => {
    // One pass over /proc groups every process by process group, so each
    // pane's foreground job costs a map lookup, not a scan.
    const wanted = new Map<number, number>();
    const panes = live.sessions.flatMap((s) =>
      s.windows.flatMap((w) => w.panes.filter((p) => !p.dead && p.pid > 0).map((p) => ({ s, w, p }))),
    );
    for (const { p } of panes) {
      const st = readStat(p.pid, procRoot);
      // A shell in the foreground is its own group: no need to look for members.
      if (st && st.tpgid > 0 && st.tpgid !== st.pgrp) wanted.set(p.pid, st.tpgid);
    }
    const groups = new Map<number, number[]>();
    for (const g of wanted.values()) groups.set(g, []);
    // Only foreground jobs need their group's members, and only then is /proc scanned.
    const all = wanted.size ? pids(procRoot) : [];
    for (let i = 0; i < all.length; i++) {
      if (i % PROBE_LIMITS.procBatch === 0 && i > 0) await yieldToLoop();
      const st = readStat(all[i]!, procRoot);
      if (st) groups.get(st.pgrp)?.push(st.pid);
    }
    const nextWriters = new Map<string, Streak>();
    const nextSilent = new Map<string, number>();
    const out: PaneFacts[] = [];
    let done = 0;
    for (const { s, w, p } of panes) {
      if (++done % (PROBE_LIMITS.procBatch / 4) === 0) await yieldToLoop();
      const tpgid = wanted.get(p.pid) ?? null;
      const shell = readStat(p.pid, procRoot);
      const fgPgid = tpgid !== null && shell && tpgid !== shell.pgrp ? tpgid : null;
      // The processes that own the terminal now: the job, or the shell itself.
      const members = (fgPgid !== null ? (groups.get(fgPgid) ?? []) : [p.pid])
        .map((pid) => readProcFacts(pid, procRoot))
        .filter((x): x is ProcFacts => x !== null);
      const stopped = fgPgid !== null ? members.filter((m) => m.state === 'T') : [];
      let blockedWriter: PaneFacts['blockedWriter'] = null;
      const writer = members.find(inWrite);
      if (writer) {
        const prev = writers.get(p.id);
        const rounds = prev && prev.pid === writer.pid && prev.cpuTicks === writer.cpuTicks ? prev.rounds + 1 : 1;
        nextWriters.set(p.id, { pid: writer.pid, cpuTicks: writer.cpuTicks, rounds });
        blockedWriter = { proc: writer, rounds, ixon: rounds >= 2 ? await ixon(p.tty) : null };
      }
      let notReading: PaneFacts['notReading'] = null;
      const lastOutput = (activity.get(w.id) ?? 0) * 1000;
      const idleMs = lastOutput > 0 ? at - lastOutput : 0;
      if (!writer && stopped.length === 0 && members.length > 0 && !members.some(inRead) && idleMs >= notReadingAfter) {
        const q = await queued(p.tty);
        if (q !== null && q > 0) {
          const rounds = (silent.get(p.id) ?? 0) + 1;
          nextSilent.set(p.id, rounds);
          notReading = { idleMs, queuedBytes: q, rounds, states: members.map((m) => `${m.comm} ${m.state}`).join(', ') };
        }
      }
      const leader = fgPgid !== null ? readArgv(fgPgid, procRoot) : null;
      out.push({
        paneId: p.id,
        session: s.name,
        windowIndex: w.index,
        paneIndex: p.index,
        tty: p.tty,
        panePid: p.pid,
        shellCwd: readCwd(p.pid, procRoot),
        fgPgid,
        fgCommand: leader ? leader.join(' ') : fgPgid !== null ? p.currentCommand || '(unreadable)' : null,
        stopped,
        blockedWriter,
        notReading,
      });
    }
    writers = nextWriters;
    silent = nextSilent;
    return out;
  };

  return {
    get serverPid() {
      return serverPid;
    },
    async round() {
      const at = now();
      const answer = await probeServer(server, { timeoutMs, ...(opts.env ? { env: opts.env } : {}) });
      let live: LiveServer | null = null;
      let fresh = false;
      let clients: ReadonlyMap<string, number> | null = null;
      let panes: PaneFacts[] = [];
      if (answer.kind === 'answered') {
        timeouts = 0;
        live = lastLive = answer.live;
        fresh = true;
        clients = answer.clients;
        if (answer.live.pid > 0) serverPid = answer.live.pid;
        panes = await observePanes(answer.live, answer.activity, at);
      } else {
        timeouts = answer.kind === 'timeout' || answer.kind === 'refused' ? timeouts + 1 : 0;
        if (answer.kind === 'no-server') {
          lastLive = null;
          serverPid = null;
        } else {
          live = lastLive;
          serverPid = await findServerPid(server.socketPath, serverPid, procRoot);
        }
        writers = new Map();
        silent = new Map();
      }
      const facts: ServerFacts = {
        socketPath: server.socketPath,
        label: server.label,
        answer: answer.kind,
        ms: answer.ms,
        timeoutMs,
        message: answer.kind === 'answered' ? null : answer.message,
        timeoutsInARow: timeouts,
        process: serverPid ? readProcFacts(serverPid, procRoot) : null,
      };
      return { at, server: facts, live, liveIsFresh: fresh, clients, panes };
    },
  };
}
