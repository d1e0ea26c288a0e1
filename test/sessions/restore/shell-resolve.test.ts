/**
 * The restore looks each shell up on PATH once (memoizedFind), not once per
 * pane: same answers as findExecutable, asked of the file system once per
 * name and PATH.
 */
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findExecutable, memoizedFind, resolvePaneShell } from '../../../sessions/restore/shell-resolve.js';
import { samplePane } from '../../checkpoints/support/sample-body.js';
import { tempDir } from '../../helpers/tmux-server.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

describe('memoizedFind', () => {
  it('answers like findExecutable, and from memory once asked', () => {
    const dir = tempDir();
    cleanups.push(() => dir.cleanup());
    const other = tempDir();
    cleanups.push(() => other.cleanup());
    const bash = join(dir.path, 'bash');
    writeFileSync(bash, '#!/bin/sh\n');
    chmodSync(bash, 0o755);
    const find = memoizedFind();
    expect(find('bash', dir.path)).toBe(findExecutable('bash', dir.path));
    expect(find('bash', dir.path)).toBe(bash);
    expect(find('zsh', dir.path)).toBeNull();
    // Another PATH is another question.
    expect(find('bash', other.path)).toBeNull();
    rmSync(bash);
    expect(findExecutable('bash', dir.path)).toBeNull();
    expect(find('bash', dir.path)).toBe(bash);
    // A restore's panes share it: the same argv for each.
    const env = { PATH: other.path, SHELL: '/bin/sh' };
    const panes = [samplePane(0, '/'), samplePane(1, '/')];
    const seen = panes.map((p) => resolvePaneShell(p, env, find).argv);
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]).toEqual(resolvePaneShell(panes[0]!, env).argv);
  });
});
