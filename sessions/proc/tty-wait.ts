/**
 * Whether a sleeping process waits for input from a given terminal, read
 * from /proc: the syscall it sleeps in and its arguments
 * (/proc/<pid>/syscall), the descriptors they name (for poll and select,
 * the arrays they point to, read from /proc/<pid>/mem; for epoll, the
 * interest list in /proc/<pid>/fdinfo), and where each descriptor leads
 * (/proc/<pid>/fd). This tells a shell at its line editor (bash's readline
 * in pselect6 on fd 0, zsh's ZLE reading its tty, fish polling it) from one
 * still running its rc files, which sleeps in a read of a pipe while
 * `eval "$(pyenv init -)"` runs. Linux only. Non-goals: deciding that a
 * shell is ready (restore/typing.ts).
 */
import { closeSync, openSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { readSyscallCall, readWchan } from './facts.js';
import { SYSCALLS, type SyscallTable } from './syscalls.js';

/** Bounds on what is read of another process's memory. */
const LIMITS = {
  /** pollfd entries looked at (a shell polls a handful). */
  maxPollFds: 256,
  /** select's nfds is at most FD_SETSIZE. */
  maxSelectFds: 1024,
} as const;

/** Read `length` bytes of process memory at `address`; null when refused (no ptrace access) or unmapped. */
function readMemory(pid: number, address: number, length: number, procRoot: string): Buffer | null {
  if (address <= 0 || length <= 0) return null;
  let fd: number | null = null;
  try {
    fd = openSync(`${procRoot}/${pid}/mem`, 'r');
    const buf = Buffer.alloc(length);
    const got = readSync(fd, buf, 0, length, address);
    return got === length ? buf : null;
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** The descriptors a waiting syscall waits on, or null when its arguments cannot be followed. */
function waitedFds(pid: number, procRoot: string, syscalls: SyscallTable, nr: number, args: readonly number[]): number[] | null {
  const kind = syscalls.waitArgs(nr);
  const [a0 = 0, a1 = 0] = args;
  switch (kind) {
    case 'fd':
      return [a0];
    case 'pollfds': {
      // struct pollfd { int fd; short events; short revents; }: 8 bytes each.
      const n = Math.min(a1, LIMITS.maxPollFds);
      const mem = readMemory(pid, a0, n * 8, procRoot);
      if (!mem) return null;
      const fds: number[] = [];
      for (let i = 0; i < n; i++) if (mem.readInt16LE(i * 8 + 4) & 0x1 /* POLLIN */) fds.push(mem.readInt32LE(i * 8));
      return fds;
    }
    case 'fdset': {
      // fd_set: a bit per descriptor below nfds, in longs (little-endian bytes on x64 and arm64).
      const nfds = Math.min(a0, LIMITS.maxSelectFds);
      if (a1 === 0 || nfds === 0) return [];
      const mem = readMemory(pid, a1, Math.ceil(nfds / 64) * 8, procRoot);
      if (!mem) return null;
      const fds: number[] = [];
      for (let fd = 0; fd < nfds; fd++) if (mem[fd >> 3]! & (1 << (fd & 7))) fds.push(fd);
      return fds;
    }
    case 'epoll': {
      try {
        const info = readFileSync(`${procRoot}/${pid}/fdinfo/${a0}`, 'latin1');
        return [...info.matchAll(/^tfd:\s+(\d+)/gm)].map((m) => Number(m[1]));
      } catch {
        return null;
      }
    }
    default:
      return [];
  }
}

/**
 * Kernel functions (wchan) a line editor sleeps in: a tty read (n_tty_read
 * waits in wait_woken), select/pselect, poll/ppoll, epoll. A shell in its
 * rc files sleeps elsewhere: pipe_read (a command substitution's output),
 * do_wait (its child). Names as Linux 5.x/6.x print them.
 */
const LINE_EDITOR_WCHAN = /^(wait_woken|do_select|core_sys_select|poll_schedule_timeout|do_sys_poll|ep_poll|do_epoll_wait)\b/;

/**
 * Where /proc/<pid>/syscall is refused (Yama's ptrace_scope=1 lets a user
 * read it only for their own descendants, and a pane's shell is tmux's
 * child), the kernel function the process sleeps in still tells a wait on a
 * terminal or for input from a pipe or a child apart. null: unreadable.
 */
function waitsLikeLineEditor(pid: number, procRoot: string): boolean | null {
  const wchan = readWchan(pid, procRoot);
  return wchan === null ? null : LINE_EDITOR_WCHAN.test(wchan);
}

/**
 * true when process `pid` sleeps waiting for input and `tty` (a pane's
 * /dev/pts/N; its controlling terminal opened as /dev/tty counts too) is
 * among what it waits on; false when it sleeps in anything else or waits on
 * other descriptors only; null when /proc will not say. Without access to
 * the syscall (no ptrace access), the kernel function it sleeps in decides.
 */
export function waitsOnTty(pid: number, tty: string, procRoot = '/proc', syscalls: SyscallTable = SYSCALLS): boolean | null {
  const call = readSyscallCall(pid, procRoot);
  if (call === null) return waitsLikeLineEditor(pid, procRoot);
  if (call === 'running' || !syscalls.waitsForInput(call.nr)) return false;
  const fds = waitedFds(pid, procRoot, syscalls, call.nr, call.args);
  if (fds === null) return null;
  return fds.some((fd) => {
    try {
      const target = readlinkSync(`${procRoot}/${pid}/fd/${fd}`);
      return target === tty || target === '/dev/tty';
    } catch {
      return false;
    }
  });
}
