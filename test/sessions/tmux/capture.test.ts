/**
 * Splitting and assembling capture output (pure).
 */
import { describe, expect, it } from 'vitest';
import { assembleContents, splitCaptureOutput, trimLines } from '../../../sessions/tmux/capture.js';

describe('capture output', () => {
  it('splits on the random token only; forged markers inside text stay text', () => {
    const token = 'tsc-secret';
    const out = Buffer.from(`${token} %1 n\nline\ntsc-guess %9 n\n${token} %2 n\nother\n`);
    const parts = splitCaptureOutput(out, token);
    expect(parts.get('%1')?.n).toBe('line\ntsc-guess %9 n\n');
    expect(parts.get('%2')?.n).toBe('other\n');
    expect(parts.has('%9')).toBe(false);
  });

  it('keeps the last N lines and drops trailing blank ones', () => {
    expect(trimLines('a\nb\nc\n\x1b[0m\n\n', 2)).toEqual(['b', 'c']);
  });

  it('separates normal history from the alternate screen of a full-screen program', () => {
    const c = assembleContents({ n: 'h1\nh2\nalt1\nalt2\n', a: 'norm1\nnorm2\n' }, { alternateOn: true, height: 2 }, 100);
    expect(c).toEqual({ normal: 'h1\nh2\nnorm1\nnorm2', alternate: 'alt1\nalt2' });
  });
});
