/**
 * Quoted command lines, run through the real shells, give back exactly the
 * argv they were built from.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteCommandLine, shellFamily } from '../../../sessions/restore/shell-quote.js';

const NASTY = [
  'plain',
  'with space',
  "it's",
  'dq"uote',
  'back\\slash',
  '$HOME',
  '$(touch /nonexistent/x)',
  '`id`',
  'semi;colon',
  'new\nline',
  'tab\there',
  '-leading-dash',
  '',
  'ü ünïcödé ✓',
  '*glob?[a]',
  '~tilde',
  'bell\x07esc\x1b',
  "mix 'single' and \"double\" \\ $x",
];

const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

/** Run `printf '%s\0' <quoted args>` in `shell`; return the argv it saw. */
function roundTrip(shell: string, argv: string[]): string[] {
  const family = shellFamily(shell);
  const line = quoteCommandLine(['printf', '%s\\0', ...argv], family);
  if (line === null) throw new Error('not quotable');
  const r = spawnSync(shell, ['-c', line], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/nonexistent' } });
  expect(r.stderr).toBe('');
  return r.stdout.split('\0').slice(0, -1);
}

describe('quoteCommandLine', () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    it.skipIf(!has(shell))(`round-trips hostile arguments through ${shell}`, () => {
      expect(roundTrip(shell, NASTY)).toEqual(NASTY);
    });
  }

  it('never puts a raw control byte in the typed line (a typed newline is Enter)', () => {
    for (const fam of ['posix-ansi', 'fish'] as const) {
      const line = quoteCommandLine(NASTY, fam)!;
      // eslint-disable-next-line no-control-regex
      expect(line).not.toMatch(/[\x00-\x1f\x7f]/);
    }
  });

  it('refuses control bytes for plain sh, which has no $\'…\'', () => {
    expect(quoteCommandLine(['echo', 'a\nb'], 'sh')).toBeNull();
    expect(quoteCommandLine(['echo', "it's"], 'sh')).toBe("echo 'it'\\''s'");
  });
});
