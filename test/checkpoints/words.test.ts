import { describe, expect, it } from 'vitest';
import { age, count, paneName, visible } from '../../checkpoints/words.js';

describe('words a person reads', () => {
  it('names a pane session:window.pane, a hostile session name made visible', () => {
    expect(paneName('api', 1, 2)).toBe('api:1.2');
    expect(paneName('a\nb\x9b', 0, 0)).toBe('a\\x0ab\\x9b:0.0');
  });
  it('ages in whole units and shows control characters as \\xHH', () => {
    expect([age(59_999), age(60_000), age(3_600_000), age(86_400_000)]).toEqual(['59s', '1m', '1h', '1d']);
    expect(visible('ok\x1b[31m')).toBe('ok\\x1b[31m');
  });
  it('counts in words: 1 window, 2 windows, never window(s)', () => {
    expect([count(0, 'pane'), count(1, 'window'), count(2, 'window'), count(3, 'process'), count(2, 'entry')]).toEqual(['0 panes', '1 window', '2 windows', '3 processes', '2 entries']);
  });
});
