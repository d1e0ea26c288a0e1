/**
 * waitsOnTty and the shellReady check built on it, read from a /proc tree
 * written by the test (syscall line, fd links, a memory file holding the
 * poll/select arrays, epoll fdinfo): a shell at its line editor waits on
 * its terminal; a shell running `eval "$(pyenv init -)"` in its rc file
 * sleeps in a read of a pipe, and is not at its prompt.
 */
import { mkdirSync, openSync, closeSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syscallTable } from '../../../sessions/proc/syscalls.js';
import { waitsOnTty } from '../../../sessions/proc/tty-wait.js';
import { shellReady } from '../../../sessions/restore/typing.js';
import { tempDir } from '../../helpers/tmux-server.js';

const dirs: { cleanup(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

const TTY = '/dev/pts/7';
const ADDR = 0x2000;
const x64 = syscallTable('x64');
const arm64 = syscallTable('arm64');

/**
 * A /proc holding process 123 (`comm`, in the foreground of its tty, asleep)
 * in syscall `nr` with `args`, its fds leading to `fds`, and `mem` at ADDR.
 */
function fakeProc(opts: {
  comm?: string;
  /** The syscall number; null: /proc/<pid>/syscall refused (no ptrace access). */
  nr: string | null;
  args: number[];
  fds: Record<number, string>;
  mem?: Buffer;
  fdinfo?: Record<number, string>;
  wchan?: string;
}): string {
  const d = tempDir();
  dirs.push(d);
  const p = join(d.path, '123');
  mkdirSync(join(p, 'fd'), { recursive: true });
  mkdirSync(join(p, 'fdinfo'));
  writeFileSync(join(p, 'stat'), `123 (${opts.comm ?? 'bash'}) S 1 123 123 34816 123 4194560 0 0 0 0 7 3 0 0 20 0 1 0 100\n`);
  const hex = [...opts.args, 0, 0, 0, 0, 0, 0].slice(0, 6).map((a) => `0x${a.toString(16)}`);
  if (opts.nr !== null) writeFileSync(join(p, 'syscall'), `${opts.nr} ${hex.join(' ')} 0x7ffd 0x7f00\n`);
  if (opts.wchan !== undefined) writeFileSync(join(p, 'wchan'), opts.wchan);
  for (const [fd, target] of Object.entries(opts.fds)) symlinkSync(target, join(p, 'fd', fd));
  for (const [fd, text] of Object.entries(opts.fdinfo ?? {})) writeFileSync(join(p, 'fdinfo', fd), text);
  const memFd = openSync(join(p, 'mem'), 'w');
  if (opts.mem) writeSync(memFd, opts.mem, 0, opts.mem.length, ADDR);
  closeSync(memFd);
  return d.path;
}

/** struct pollfd entries (fd, events). */
const pollfds = (...entries: [number, number][]) => {
  const b = Buffer.alloc(entries.length * 8);
  entries.forEach(([fd, events], i) => {
    b.writeInt32LE(fd, i * 8);
    b.writeInt16LE(events, i * 8 + 4);
  });
  return b;
};
/** An fd_set holding `fds`. */
const fdset = (...fds: number[]) => {
  const b = Buffer.alloc(128);
  for (const fd of fds) b[fd >> 3]! |= 1 << (fd & 7);
  return b;
};

describe('waitsOnTty', () => {
  it("bash's readline: pselect6 (270) on fd 0, the pane's terminal", () => {
    const root = fakeProc({ nr: '270', args: [1, ADDR, 0, 0, 0, 0x7ffe], fds: { 0: TTY, 1: TTY }, mem: fdset(0) });
    expect(waitsOnTty(123, TTY, root, x64)).toBe(true);
    expect(waitsOnTty(123, '/dev/pts/8', root, x64)).toBe(false);
  });

  it('bash in its rc file: read (0) of the pipe of a command substitution is not the terminal', () => {
    const root = fakeProc({ nr: '0', args: [3, 0x7ffd, 128], fds: { 0: TTY, 3: 'pipe:[991]' } });
    expect(waitsOnTty(123, TTY, root, x64)).toBe(false);
    expect(shellReady(123, 'bash', root, x64, TTY)).toBe(false);
    // Without the terminal to compare with, as before: any wait for input.
    expect(shellReady(123, 'bash', root, x64)).toBe(true);
  });

  it("zsh's line editor reads its terminal opened as /dev/tty (fd 10)", () => {
    const root = fakeProc({ comm: 'zsh', nr: '0', args: [10, 0x7ffd, 1], fds: { 0: TTY, 10: '/dev/tty' } });
    expect(waitsOnTty(123, TTY, root, x64)).toBe(true);
    expect(shellReady(123, 'zsh', root, x64, TTY)).toBe(true);
  });

  it("fish: poll (7) on the terminal among other fds; a poll without it (POLLIN) is not", () => {
    const onTty = fakeProc({ comm: 'fish', nr: '7', args: [ADDR, 2, 0xffffffff], fds: { 0: TTY, 5: 'pipe:[7]' }, mem: pollfds([5, 1], [0, 1]) });
    expect(waitsOnTty(123, TTY, onTty, x64)).toBe(true);
    const notTty = fakeProc({ comm: 'fish', nr: '7', args: [ADDR, 2, 0xffffffff], fds: { 0: TTY, 5: 'pipe:[7]' }, mem: pollfds([5, 1], [0, 4]) });
    expect(waitsOnTty(123, TTY, notTty, x64)).toBe(false);
  });

  it('arm64: ppoll (73) and pselect6 (72) arrays are followed the same way', () => {
    expect(waitsOnTty(123, TTY, fakeProc({ nr: '73', args: [ADDR, 1], fds: { 0: TTY }, mem: pollfds([0, 1]) }), arm64)).toBe(true);
    expect(waitsOnTty(123, TTY, fakeProc({ nr: '72', args: [4, ADDR], fds: { 3: TTY }, mem: fdset(3) }), arm64)).toBe(true);
    expect(waitsOnTty(123, TTY, fakeProc({ nr: '72', args: [4, ADDR], fds: { 3: TTY }, mem: fdset(2) }), arm64)).toBe(false);
  });

  it('epoll: the interest list in fdinfo', () => {
    const info = (tfd: number) => `pos:\t0\nflags:\t02\nmnt_id:\t15\ntfd:        9 events:       19 data:  9\ntfd: ${tfd} events: 19 data: 0\n`;
    expect(waitsOnTty(123, TTY, fakeProc({ nr: '232', args: [4], fds: { 0: TTY, 4: 'anon_inode:[eventpoll]' }, fdinfo: { 4: info(0) } }), x64)).toBe(true);
    expect(waitsOnTty(123, TTY, fakeProc({ nr: '232', args: [4], fds: { 0: TTY, 4: 'anon_inode:[eventpoll]' }, fdinfo: { 4: info(6) } }), x64)).toBe(false);
  });

  it('without access to the syscall (Yama ptrace_scope=1), the kernel function it sleeps in decides', () => {
    const at = (wchan: string) => fakeProc({ nr: null, args: [], fds: { 0: TTY, 3: 'pipe:[991]' }, wchan });
    // The rc file's command substitution: reading its pipe, or waiting for its child.
    expect(waitsOnTty(123, TTY, at('pipe_read'), x64)).toBe(false);
    expect(waitsOnTty(123, TTY, at('do_wait'), x64)).toBe(false);
    expect(shellReady(123, 'bash', at('pipe_read'), x64, TTY)).toBe(false);
    // Line editors: a tty read, select, poll.
    for (const w of ['wait_woken', 'do_select', 'poll_schedule_timeout.constprop.0', 'do_sys_poll']) {
      expect(waitsOnTty(123, TTY, at(w), x64), w).toBe(true);
    }
    // Neither readable: cannot tell.
    expect(waitsOnTty(123, TTY, fakeProc({ nr: null, args: [], fds: {} }), x64)).toBeNull();
  });

  it('cannot tell (null) when the memory is unreadable; not waiting at all is false', () => {
    expect(waitsOnTty(123, TTY, fakeProc({ nr: '7', args: [0x900000, 1], fds: { 0: TTY } }), x64)).toBeNull();
    expect(shellReady(123, 'bash', fakeProc({ nr: '7', args: [0x900000, 1], fds: { 0: TTY } }), x64, TTY)).toBe(true);
    expect(waitsOnTty(123, TTY, fakeProc({ nr: '61', args: [-1 >>> 0], fds: { 0: TTY } }), x64)).toBe(false);
    expect(waitsOnTty(123, TTY, fakeProc({ nr: 'running', args: [], fds: {} }), x64)).toBe(false);
  });
});
