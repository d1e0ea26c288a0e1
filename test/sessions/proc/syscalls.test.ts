/**
 * The per-architecture syscall table, as a pure function of the
 * architecture name: what a shell waiting at its prompt and a writer
 * blocked on a full tty sleep in, on x64 and on arm64 (the generic table).
 */
import { describe, expect, it } from 'vitest';
import { syscallTable } from '../../../sessions/proc/syscalls.js';

describe('syscallTable', () => {
  it('x64: read, poll, select and epoll families wait for input; write, writev, pwrite64 write', () => {
    const t = syscallTable('x64');
    for (const nr of [0, 7, 17, 19, 23, 232, 270, 271, 281, 441]) expect(t.waitsForInput(nr), `x64 ${nr}`).toBe(true);
    for (const nr of [1, 18, 20]) expect(t.writes(nr), `x64 ${nr}`).toBe(true);
    // x64 63 is uname, 64 semget, 73 flock: not waits, not writes.
    for (const nr of [63, 64, 73, 61]) expect(t.waitsForInput(nr) || t.writes(nr)).toBe(false);
  });

  it('arm64 (asm-generic numbers): a shell asleep in pselect6 or ppoll is waiting; read 63, write 64', () => {
    const t = syscallTable('arm64');
    expect(t.arch).toBe('arm64');
    // bash sleeps in pselect6 (72), zsh/fish in ppoll (73) or read (63), node in epoll_pwait (22).
    for (const nr of [63, 65, 67, 72, 73, 22, 441]) expect(t.waitsForInput(nr), `arm64 ${nr}`).toBe(true);
    for (const nr of [64, 66, 68]) expect(t.writes(nr), `arm64 ${nr}`).toBe(true);
    // x64's numbers mean something else on arm64: 0 io_setup, 7 fsetxattr, 23 dup, 1 io_destroy.
    for (const nr of [0, 7, 23, 232, 270, 271, 281]) expect(t.waitsForInput(nr), `arm64 ${nr}`).toBe(false);
    for (const nr of [1, 18, 20]) expect(t.writes(nr), `arm64 ${nr}`).toBe(false);
  });

  it('reads an unknown architecture as x64, and never counts a number as both', () => {
    expect(syscallTable('riscv64').arch).toBe('x64');
    for (const arch of ['x64', 'arm64']) {
      const t = syscallTable(arch);
      for (let nr = 0; nr < 500; nr++) expect(t.waitsForInput(nr) && t.writes(nr)).toBe(false);
    }
  });
});
