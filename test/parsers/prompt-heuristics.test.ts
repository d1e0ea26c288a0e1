import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROMPT_PATTERNS,
  expandHome,
  findPrompts,
  matchPromptLine,
  type PromptPattern,
} from '../../parsers/prompt-heuristics.js';

describe('matchPromptLine', () => {
  it.each([
    ['ann@box:~/src$ make test', { pattern: 'debian-bash', cwd: '~/src', user: 'ann', host: 'box', command: 'make test' }],
    ['root@box:/etc# ls -l', { pattern: 'debian-bash', cwd: '/etc', user: 'root', command: 'ls -l' }],
    ['ann@box:~$', { pattern: 'debian-bash', cwd: '~' }],
    ['[ann@box src]$ make', { pattern: 'fedora-bash', cwdShown: 'src', command: 'make' }],
    ['ann@mac src % make', { pattern: 'macos-zsh', cwdShown: 'src', command: 'make' }],
    ['ann@box ~/s/tsession> make', { pattern: 'fish', cwdShown: '~/s/tsession', command: 'make' }],
    ['~/src$ make', { pattern: 'cwd-dollar', cwd: '~/src', command: 'make' }],
    ['/var/log # tail -f syslog', { pattern: 'cwd-dollar', cwd: '/var/log', command: 'tail -f syslog' }],
  ])('%s', (line, expected) => {
    expect(matchPromptLine(line)).toMatchObject(expected);
  });

  it('keeps a directory with spaces, and omits an empty command', () => {
    const m = matchPromptLine('ann@box:~/my dir$ ');
    expect(m).toMatchObject({ cwd: '~/my dir' });
    expect(m && 'command' in m).toBe(false);
  });

  it('never offers a shortened directory as a cwd', () => {
    expect(matchPromptLine('[ann@box src]$ ')?.cwd).toBeUndefined();
    expect(matchPromptLine('ann@box ~/s/x> ')?.cwd).toBeUndefined();
  });

  it('returns null for ordinary output', () => {
    for (const line of ['hello world', 'total 12', 'drwxr-xr-x 2 ann ann 4096 .', '']) {
      expect(matchPromptLine(line)).toBeNull();
    }
  });

  it('takes user patterns', () => {
    const mine: PromptPattern[] = [
      { name: 'arrow', description: '`➜ dir ` (oh-my-zsh robbyrussell)', regex: /^➜ {2}(?<cwd>\S+) (?<command>.*)$/, cwd: 'basename' },
    ];
    expect(matchPromptLine('➜  src git status', mine)).toMatchObject({ pattern: 'arrow', cwdShown: 'src', command: 'git status' });
    expect(matchPromptLine('➜  src git status')).toBeNull();
  });

  it('documents every default pattern', () => {
    for (const p of DEFAULT_PROMPT_PATTERNS) expect(p.description.length).toBeGreaterThan(10);
  });
});

describe('findPrompts and expandHome', () => {
  it('finds prompt lines in order with their indexes', () => {
    const found = findPrompts(['ann@box:~$ ls', 'a b c', 'ann@box:~$ ']);
    expect(found.map((m) => [m.line, m.command])).toEqual([
      [0, 'ls'],
      [2, undefined],
    ]);
  });

  it('expands ~ only at the start', () => {
    expect(expandHome('~', '/home/ann')).toBe('/home/ann');
    expect(expandHome('~/x', '/home/ann/')).toBe('/home/ann/x');
    expect(expandHome('/a/~/b', '/home/ann')).toBe('/a/~/b');
    expect(expandHome('~bob/x', '/home/ann')).toBe('~bob/x');
  });
});
