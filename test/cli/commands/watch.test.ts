/**
 * The watch command's options: `--interval` in seconds, and `--watch` as the
 * watch command wherever it stands.
 */
import { describe, expect, it } from 'vitest';
import { parseInterval } from '../../../src/cli/commands/watch.js';
import { runCli } from '../../helpers/cli.js';

describe('the command line', () => {
  it('--interval takes seconds, 0 for none, and refuses anything else with one line', () => {
    expect(parseInterval(undefined)).toBe(60_000);
    expect(parseInterval('2.5')).toBe(2_500);
    expect(parseInterval('0')).toBe(0);
    for (const bad of ['-1', '0.5', 'soon', '']) expect(() => parseInterval(bad)).toThrow(/^--interval: expected seconds/);
  });

  it('--watch is the watch command wherever it stands, unless another command is named', async () => {
    const opts = await runCli(null, ['--watch', '--interval', 'x'], {}, 20_000);
    expect(opts).toMatchObject({ code: 2, stderr: 'tsession: --interval: expected seconds (a number ≥ 1, or 0 for none), got "x"\n' });
    const named = await runCli(null, ['list', '--watch'], {}, 20_000);
    expect(named.code).toBe(2);
    expect(named.stderr).toBe('tsession: Unknown option --watch for tsession list; see tsession list --help\n');
    const help = await runCli(null, ['-L', 'x', '--watch', '--help'], {}, 20_000);
    expect(help.stdout).toMatch(/^Usage: tsession watch /);
  });
});
