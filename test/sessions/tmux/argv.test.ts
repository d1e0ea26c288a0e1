/**
 * Pure argv for tmux: escaping, batching, chunking at the message limit, and the version floor.
 */
import { describe, expect, it } from 'vitest';
import { batchArgv, chunkCommands, escapeArg, escapeFormat } from '../../../sessions/tmux/argv.js';
import { assertSupportedVersion } from '../../../sessions/tmux/client.js';
import { TmuxError } from '../../../sessions/tmux/errors.js';

describe('argv for tmux', () => {
  it('escapes a trailing ; so it is not a command separator, and # for formats', () => {
    expect(escapeArg('name;')).toBe('name\\;');
    expect(escapeArg('a;b')).toBe('a;b');
    expect(escapeArg(';')).toBe('\\;');
    expect(escapeFormat('a#{host}#')).toBe('a##{host}##');
    expect(batchArgv([['a', 'x;'], ['b']])).toEqual(['a', 'x\\;', ';', 'b']);
  });

  it('chunks batches under the message budget, in order, at command boundaries', () => {
    const cmds = Array.from({ length: 50 }, (_, i) => ['select-pane', '-T', `t${i}`.padEnd(100, 'x')]);
    const chunks = chunkCommands(cmds, 1000);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.flat()).toEqual(cmds);
    // A smaller budget only aims for smaller chunks: a command tmux accepts
    // still goes, alone; one tmux cannot take is refused.
    const big = ['x', 'y'.repeat(2000)];
    expect(chunkCommands([['a'], big, ['b']], 1000)).toEqual([[['a']], [big], [['b']]]);
    expect(() => chunkCommands([['x', 'y'.repeat(20_000)]], 1000)).toThrow(TmuxError);
  });

  it('refuses tmux older than 3.2', () => {
    expect(() => assertSupportedVersion('3.3a')).not.toThrow();
    expect(() => assertSupportedVersion('next-3.4')).not.toThrow();
    expect(() => assertSupportedVersion('3.1c')).toThrow(/Expected tmux 3.2 or newer, got 3.1c/);
    expect(() => assertSupportedVersion('')).toThrow(TmuxError);
  });
});
