/**
 * Reads process facts straight from /proc (never through `ps`): a pane
 * shell's argv and cwd, and its tty's foreground process group with that
 * job's argv and cwd. What /proc refuses is reported as null, never guessed.
 */
import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';

// /proc files report size 0, so readFileSync grows buffers in a loop; one
// reused buffer, decoded in place, is several times faster for 400 panes.
const SCRATCH = Buffer.allocUnsafe(64 * 1024);

/**
 * Read a small /proc file whole and decode it. Throws like fs does. A read
 * shorter than asked is the end: stat is a seq_file produced whole by one
 * read, and cmdline's reader copies page after page until the count is met
 * or the arguments end; skipping the read that would return 0 saves a
 * syscall per file (800 of ~3,600 for 400 panes).
 */
function readProcFile(path: string, encoding: 'latin1' | 'utf8'): string {
  const fd = openSync(path, 'r');
  try {
    let n = 0;
    for (;;) {
      const want = SCRATCH.length - n;
      const got = readSync(fd, SCRATCH, n, want, null);
      n += got;
      if (got === 0 || got < want || n === SCRATCH.length) break;
    }
    return SCRATCH.toString(encoding, 0, n);
  } finally {
    closeSync(fd);
  }
}

/** Fields of /proc/<pid>/stat we use. */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** R, S, D, T, t, Z, … */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
  /** Foreground process group of the controlling tty (-1 when none). */
  readonly tpgid: number;
  readonly utime: number;
  readonly stime: number;
  /** Clock ticks after boot at which the process started: with the pid, it names one process (pids are reused). */
  readonly startTime: number;
}

/**
 * Parse /proc/<pid>/stat. The comm may hold spaces and parentheses
 * ("tmux: server"), so fields are taken after the LAST ')'.
 */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).split(' ');
  const n = (i: number): number => Number(rest[i] ?? NaN);
  const stat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: n(1),
    pgrp: n(2),
    session: n(3),
    tpgid: n(5),
    utime: n(11),
    stime: n(12),
    startTime: n(19),
  };
  return Number.isFinite(stat.pid) && Number.isFinite(stat.tpgid) ? stat : null;
}

/** Read and parse /proc/<pid>/stat; null when the process is gone. */
export function readStat(pid: number, procRoot = '/proc'): ProcStat | null {
  try {
    return parseStat(readProcFile(`${procRoot}/${pid}/stat`, 'latin1'));
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc's times: USER_HZ, 100 on every Linux architecture tsession runs on. */
const USER_HZ = 100;

/**
 * When process `pid` started, in ms since the epoch (to within ~10 ms of
 * this clock), from its start in ticks after boot and /proc/uptime; null
 * when it is gone or /proc cannot say.
 */
export function processStartedAtMs(pid: number, procRoot = '/proc', now: number = Date.now()): number | null {
  const st = readStat(pid, procRoot);
  if (!st || !Number.isFinite(st.startTime)) return null;
  try {
    const uptimeS = Number(readProcFile(`${procRoot}/uptime`, 'latin1').split(' ')[0]);
    return Number.isFinite(uptimeS) ? now - (uptimeS * 1000 - (st.startTime * 1000) / USER_HZ) : null;
  } catch {
    return null;
  }
}

/** argv from /proc/<pid>/cmdline; null when unreadable or empty (kernel thread, zombie). */
export function readArgv(pid: number, procRoot = '/proc'): string[] | null {
  try {
    const raw = readProcFile(`${procRoot}/${pid}/cmdline`, 'utf8');
    if (raw.length === 0) return null;
    // cmdline is NUL-separated with a trailing NUL; a program that rewrote its
    // argv may leave none, so drop exactly one trailing empty field.
    const parts = raw.split('\0');
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return parts;
  } catch {
    return null;
  }
}

/** cwd from /proc/<pid>/cwd; null on EACCES (setuid) or when gone. */
export function readCwd(pid: number, procRoot = '/proc'): string | null {
  try {
    const link = readlinkSync(`${procRoot}/${pid}/cwd`);
    // A deleted cwd reads as "/path (deleted)": that path no longer exists.
    return link.endsWith(' (deleted)') ? link.slice(0, -' (deleted)'.length) : link;
  } catch {
    return null;
  }
}

/**
 * The syscall /proc/<pid>/syscall says the process sleeps in: its number,
 * 'running' while it is on a CPU, or null when unreadable (the file needs
 * ptrace access, so it may be refused) or gone.
 */
export function readSyscall(pid: number, procRoot = '/proc'): number | 'running' | null {
  try {
    const word = (readProcFile(`${procRoot}/${pid}/syscall`, 'latin1').split(' ', 1)[0] ?? '').trim();
    if (/^\d+$/.test(word)) return Number(word);
    return word === 'running' ? 'running' : null;
  } catch {
    return null;
  }
}

/**
 * The syscall a process sleeps in with its six arguments (as numbers: user
 * addresses stay below 2^47, exact in a double), 'running', or null when
 * unreadable or gone (see readSyscall).
 */
export function readSyscallCall(pid: number, procRoot = '/proc'): { readonly nr: number; readonly args: readonly number[] } | 'running' | null {
  try {
    const words = readProcFile(`${procRoot}/${pid}/syscall`, 'latin1').trim().split(' ');
    if (words[0] === 'running') return 'running';
    if (!/^\d+$/.test(words[0] ?? '')) return null;
    const args = words.slice(1, 7).map((w) => Number.parseInt(w, 16));
    return args.length === 6 && args.every(Number.isFinite) ? { nr: Number(words[0]), args } : null;
  } catch {
    return null;
  }
}

/**
 * The kernel function a sleeping process waits in (/proc/<pid>/wchan, e.g.
 * `pipe_read`, `wait_woken`, `do_select`), '' while it runs, or null when
 * unreadable. Unlike syscall, it needs only read access to the process
 * (same user), which Yama's ptrace_scope=1 does not take away.
 */
export function readWchan(pid: number, procRoot = '/proc'): string | null {
  try {
    const w = readProcFile(`${procRoot}/${pid}/wchan`, 'latin1').trim();
    return w === '0' ? '' : w;
  } catch {
    return null;
  }
}

/** What /proc says about one pane. */
export interface PaneProcFacts {
  readonly shellArgv: string[] | null;
  readonly shellCwd: string | null;
  /** The foreground job, or null when the shell itself is in the foreground. */
  readonly job: {
    readonly pgid: number;
    readonly argv: string[] | null;
    readonly cwd: string | null;
    /** Whether the group leader could be read at all. */
    readonly leaderAlive: boolean;
  } | null;
}

/**
 * Facts for a pane whose own process is `panePid`. The foreground job is the
 * pane tty's foreground process group (tpgid), not "every child of the shell".
 */
export function readPaneProcFacts(panePid: number, procRoot = '/proc'): PaneProcFacts {
  const stat = readStat(panePid, procRoot);
  const shellArgv = readArgv(panePid, procRoot);
  const shellCwd = readCwd(panePid, procRoot);
  if (!stat || stat.tpgid <= 0 || stat.tpgid === stat.pgrp) {
    return { shellArgv, shellCwd, job: null };
  }
  const leader = readStat(stat.tpgid, procRoot);
  return {
    shellArgv,
    shellCwd,
    job: {
      pgid: stat.tpgid,
      argv: leader ? readArgv(stat.tpgid, procRoot) : null,
      cwd: leader ? readCwd(stat.tpgid, procRoot) : null,
      leaderAlive: leader !== null,
    },
  };
}
