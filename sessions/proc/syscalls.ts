/**
 * Syscall numbers per architecture, for reading /proc/<pid>/syscall: which
 * ones mean "sleeps waiting for input" and which "blocked writing". Pure: a
 * function of the architecture name (`process.arch`), so every architecture
 * is testable on any machine. Non-goals: reading /proc (facts.ts, probes).
 *
 * x64 numbers are from arch/x86/entry/syscalls/syscall_64.tbl; arm64 uses
 * the generic table (include/uapi/asm-generic/unistd.h), which has no plain
 * poll, select or epoll_wait — only their p-variants.
 */

/** The syscalls we recognise, by name, with their number on each architecture (absent: not on that one). */
const NUMBERS = {
  x64: {
    read: 0,
    write: 1,
    poll: 7,
    pread64: 17,
    pwrite64: 18,
    readv: 19,
    writev: 20,
    select: 23,
    epoll_wait: 232,
    pselect6: 270,
    ppoll: 271,
    epoll_pwait: 281,
    epoll_pwait2: 441,
  },
  arm64: {
    epoll_pwait: 22,
    read: 63,
    write: 64,
    readv: 65,
    writev: 66,
    pread64: 67,
    pwrite64: 68,
    pselect6: 72,
    ppoll: 73,
    epoll_pwait2: 441,
  },
} as const satisfies Record<string, Record<string, number>>;

/** Architectures with a table (`process.arch` names). */
export type SyscallArch = keyof typeof NUMBERS;

/** Names of the syscalls a program sleeps in while it waits for input (a key, a socket). */
const WAITING = ['read', 'readv', 'pread64', 'poll', 'ppoll', 'select', 'pselect6', 'epoll_wait', 'epoll_pwait', 'epoll_pwait2'] as const;
/** Names of the syscalls a process blocked writing to a full tty sleeps in. */
const WRITING = ['write', 'writev', 'pwrite64'] as const;

/**
 * Where a waiting syscall's arguments name the descriptors it waits on:
 * `fd` its first argument is one; `pollfds` its first points to an array of
 * struct pollfd, its second is their count; `fdset` its first is nfds, its
 * second points to the read fd_set; `epoll` its first is an epoll instance.
 */
export type WaitArgs = 'fd' | 'pollfds' | 'fdset' | 'epoll';

const WAIT_ARGS: Readonly<Record<(typeof WAITING)[number], WaitArgs>> = {
  read: 'fd',
  readv: 'fd',
  pread64: 'fd',
  poll: 'pollfds',
  ppoll: 'pollfds',
  select: 'fdset',
  pselect6: 'fdset',
  epoll_wait: 'epoll',
  epoll_pwait: 'epoll',
  epoll_pwait2: 'epoll',
};

/** What a /proc/<pid>/syscall number means on one architecture. */
export interface SyscallTable {
  readonly arch: SyscallArch;
  /** The process sleeps waiting for input (read, poll, select, epoll families). */
  readonly waitsForInput: (nr: number) => boolean;
  /** For a waiting syscall, how its arguments name what it waits on (null for any other). */
  readonly waitArgs: (nr: number) => WaitArgs | null;
  /** The process is in a write (blocked on a tty whose reader stopped). */
  readonly writes: (nr: number) => boolean;
}

const numbersOf = (arch: SyscallArch, names: readonly string[]): ReadonlySet<number> => {
  const table: Readonly<Record<string, number>> = NUMBERS[arch];
  return new Set(names.flatMap((n) => (table[n] === undefined ? [] : [table[n]])));
};

/** The table for `arch` (a `process.arch` value); architectures without one read as x64. */
export function syscallTable(arch: string): SyscallTable {
  const known: SyscallArch = arch in NUMBERS ? (arch as SyscallArch) : 'x64';
  const waiting = numbersOf(known, WAITING);
  const writing = numbersOf(known, WRITING);
  const table: Readonly<Record<string, number>> = NUMBERS[known];
  const argsByNr = new Map<number, WaitArgs>(WAITING.flatMap((n) => (table[n] === undefined ? [] : [[table[n], WAIT_ARGS[n]] as const])));
  return { arch: known, waitsForInput: (nr) => waiting.has(nr), waitArgs: (nr) => argsByNr.get(nr) ?? null, writes: (nr) => writing.has(nr) };
}

/** The table of the machine this runs on. */
export const SYSCALLS: SyscallTable = syscallTable(process.arch);
