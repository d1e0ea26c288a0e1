/**
 * shellReady, the check that a restored pane's shell waits at its prompt
 * before a saved command is typed, read from a /proc tree written by the
 * test: so each architecture's syscall numbers are checked on any machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syscallTable } from '../../../sessions/proc/syscalls.js';
import { shellReady } from '../../../sessions/restore/typing.js';
import { tempDir } from '../../helpers/tmux-server.js';

const dirs: { cleanup(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

/** A /proc with one process: `comm`, in the foreground of its tty, in `state`, asleep in syscall `nr`. */
function fakeProc(comm: string, state: string, syscall: string): string {
  const d = tempDir();
  dirs.push(d);
  mkdirSync(join(d.path, '123'));
  // pid (comm) state ppid pgrp session tty_nr tpgid … starttime (field 22)
  writeFileSync(join(d.path, '123', 'stat'), `123 (${comm}) ${state} 1 123 123 34816 123 4194560 0 0 0 0 7 3 0 0 20 0 1 0 100\n`);
  writeFileSync(join(d.path, '123', 'syscall'), `${syscall} 0x0 0x7ffd 0x0 0x0 0x0 0x0 0x7ffd 0x7f00\n`);
  return d.path;
}

describe('shellReady', () => {
  it('on arm64, bash asleep in pselect6 (72) and zsh in ppoll (73) are at their prompt', () => {
    const arm64 = syscallTable('arm64');
    expect(shellReady(123, 'bash', fakeProc('bash', 'S', '72'), arm64)).toBe(true);
    expect(shellReady(123, 'zsh', fakeProc('zsh', 'S', '73'), arm64)).toBe(true);
    expect(shellReady(123, 'fish', fakeProc('fish', 'S', '63'), arm64)).toBe(true);
    // 61 is getdents64 on arm64: an rc file being read, not a prompt.
    expect(shellReady(123, 'bash', fakeProc('bash', 'S', '61'), arm64)).toBe(false);
  });

  it('on x64, pselect6 is 270 and 72 is fcntl', () => {
    const x64 = syscallTable('x64');
    expect(shellReady(123, 'bash', fakeProc('bash', 'S', '270'), x64)).toBe(true);
    expect(shellReady(123, 'bash', fakeProc('bash', 'S', '72'), x64)).toBe(false);
  });

  it('not ready while running, stopped, another program (the gate sh), or on a CPU', () => {
    const t = syscallTable('x64');
    expect(shellReady(123, 'bash', fakeProc('bash', 'R', '270'), t)).toBe(false);
    expect(shellReady(123, 'bash', fakeProc('sh', 'S', '0'), t)).toBe(false);
    expect(shellReady(123, 'bash', fakeProc('bash', 'S', 'running'), t)).toBe(false);
    expect(shellReady(124, 'bash', fakeProc('bash', 'S', '270'), t)).toBe(false);
  });
});
