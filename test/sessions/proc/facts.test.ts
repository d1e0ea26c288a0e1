/**
 * /proc/<pid>/stat parsing and program names (pure).
 */
import { describe, expect, it } from 'vitest';
import { parseStat } from '../../../sessions/proc/facts.js';
import { programName } from '../../../sessions/proc/program-name.js';

describe('/proc parsing', () => {
  it('parses stat after the last ) even when the comm holds spaces and parens', () => {
    const st = parseStat('42 (tmux: server (x)) S 1 42 42 0 -1 4194560 0 0 0 0 7 3 0 0 20 0 1 0 100');
    expect(st).toMatchObject({ pid: 42, comm: 'tmux: server (x)', state: 'S', ppid: 1, pgrp: 42, tpgid: -1, utime: 7, stime: 3 });
    expect(programName('-bash')).toBe('bash');
    expect(programName('/nix/store/abc-vim/bin/vim')).toBe('vim');
  });
});
