/**
 * Pure parts of the tmux driver and restore planner: server selection,
 * argv escaping, chunking, record decoding, capture splitting, re-run
 * policy and the restore plan.
 */
import { describe, expect, it } from 'vitest';
import type { PaneRecord, SessionRecord } from '../../checkpoints/schema.js';
import { assembleContents, splitCaptureOutput, trimLines } from '../../sessions/tmux/capture.js';
import { compareSessions, normalizeLayout } from '../../sessions/live/compare.js';
import { decodeRecords } from '../../sessions/tmux/formats.js';
import { parseStat } from '../../sessions/proc/facts.js';
import { programName } from '../../sessions/proc/program-name.js';
import { decideRerun } from '../../sessions/restore/rerun-policy.js';
import { planRestore, tmuxStoredName, type PlanContext } from '../../sessions/restore/plan.js';
import { resolveServer } from '../../sessions/tmux/server.js';
import { batchArgv, chunkCommands, escapeArg, escapeFormat } from '../../sessions/tmux/argv.js';
import { assertSupportedVersion } from '../../sessions/tmux/client.js';
import { TmuxError } from '../../sessions/tmux/errors.js';

describe('resolveServer', () => {
  it('follows tmux: -S, then -L, then $TMUX, then the default socket', () => {
    const env = { TMUX: '/tmp/tmux-5/work,123,0', TMUX_TMPDIR: '/run/t' };
    expect(resolveServer({ socketPath: '/x/s', socketName: 'n' }, env, 5).socketPath).toBe('/x/s');
    expect(resolveServer({ socketName: 'n' }, env, 5).socketPath).toBe('/run/t/tmux-5/n');
    expect(resolveServer({}, env, 5).socketPath).toBe('/tmp/tmux-5/work');
    expect(resolveServer({}, { TMUX: '/odd,path/s,1,2' }, 5).socketPath).toBe('/odd,path/s');
    expect(resolveServer({}, {}, 7).socketPath).toBe('/tmp/tmux-7/default');
  });
});

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

describe('decodeRecords', () => {
  it('decodes safe fields and length-prefixed text holding any byte', () => {
    const name = 'a\tb|c\nd  "e\\f ü';
    const buf = Buffer.from(`1 $2 ${Buffer.byteLength(name)}:${name}0:\n3 $4 1:x0:\n`);
    expect(decodeRecords(buf, 2, 2)).toEqual([
      ['1', '$2', name, ''],
      ['3', '$4', 'x', ''],
    ]);
    expect(() => decodeRecords(Buffer.from('1 $2 99:short\n'), 2, 1)).toThrow(/Expected/);
  });
});

describe('/proc parsing', () => {
  it('parses stat after the last ) even when the comm holds spaces and parens', () => {
    const st = parseStat('42 (tmux: server (x)) S 1 42 42 0 -1 4194560 0 0 0 0 7 3 0 0 20 0 1 0 100');
    expect(st).toMatchObject({ pid: 42, comm: 'tmux: server (x)', state: 'S', ppid: 1, pgrp: 42, tpgid: -1, utime: 7, stime: 3 });
    expect(programName('-bash')).toBe('bash');
    expect(programName('/nix/store/abc-vim/bin/vim')).toBe('vim');
  });
});

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

describe('re-run policy', () => {
  const rules = [
    { program: 'vim', whenAnyArg: null },
    { program: 'tail', whenAnyArg: ['-f', '-F', '--follow'] },
  ];
  it('matches on the basename and on required flags', () => {
    expect(decideRerun(['/usr/bin/vim', 'x'], rules).action).toBe('run');
    expect(decideRerun(['/nix/store/h-vim/bin/vim'], rules).action).toBe('run');
    expect(decideRerun(['tail', '-n5', '-f', 'x'], rules).action).toBe('run');
    expect(decideRerun(['tail', '-fn5', 'x'], rules).action).toBe('run');
    expect(decideRerun(['tail', '--follow=name', 'x'], rules).action).toBe('run');
    expect(decideRerun(['tail', 'x'], rules).action).toBe('type');
    expect(decideRerun(['sudo', 'vim'], rules).action).toBe('type');
    expect(decideRerun(['rm', '-rf', '/'], rules).action).toBe('type');
  });
});

describe('names and layouts', () => {
  it('predicts the name tmux stores', () => {
    expect(tmuxStoredName('a.b:c')).toBe('a_b_c');
    expect(tmuxStoredName('t\tn\nb\\')).toBe('t\\tn\\nb\\\\');
    expect(tmuxStoredName('$x')).toBe('\\$x');
    expect(tmuxStoredName('plain name')).toBe('plain name');
  });
  it('compares layouts without checksums and pane ids', () => {
    expect(normalizeLayout('95e4,120x40,0,0{60x40,0,0,0,59x40,61,0[59x20,61,0,1,59x19,61,21,2]}')).toBe(
      normalizeLayout('d6e5,120x40,0,0{60x40,0,0,7,59x40,61,0[59x20,61,0,8,59x19,61,21,9]}'),
    );
    expect(normalizeLayout('b25d,80x24,0,0,0')).not.toBe(normalizeLayout('b25d,80x23,0,0,0'));
  });
});

const pane = (over: Partial<PaneRecord> = {}): PaneRecord => ({
  id: '%0',
  index: 0,
  title: 'host',
  active: true,
  width: 80,
  height: 24,
  shell: { command: 'bash', argv: ['-bash'] },
  cwd: { path: '/home/u', source: 'proc' },
  foreground: { kind: 'shell' },
  contents: null,
  ...over,
});

const session = (): SessionRecord => ({
  id: '$1',
  name: 'work',
  baseIndex: 0,
  createdAt: 1,
  windows: [
    {
      id: '@1',
      index: 2,
      name: 'ed#it',
      automaticRename: false,
      layout: 'abcd,80x24,0,0{40x24,0,0,1,39x24,41,0,2}',
      active: false,
      last: true,
      zoomed: false,
      panes: [pane(), pane({ id: '%1', index: 1, active: false, foreground: { kind: 'job', command: 'vim', argv: ['vim', 'a b'], cwd: '/', source: 'proc' } })],
    },
    {
      id: '@2',
      index: 5,
      name: 'sh',
      automaticRename: true,
      layout: 'abcd,80x24,0,0,3',
      active: true,
      last: false,
      zoomed: false,
      panes: [pane({ id: '%3', cwd: { path: '/gone/deep', source: 'proc' }, foreground: { kind: 'job', command: 'sleep', argv: ['sleep', '9'], cwd: '/', source: 'proc' } })],
    },
  ],
});

const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({
  baseIndex: 0,
  paneBaseIndex: 0,
  nearestDir: (p) => (p.startsWith('/gone') ? '/' : p),
  resolveShell: () => ({ argv: ['/usr/bin/bash', '-l'] }),
  hasContents: () => false,
  defaultTitle: 'host.example',
  rules: [{ program: 'vim', whenAnyArg: null }],
  noCommands: false,
  ...over,
});

describe('planRestore', () => {
  it('builds under a temporary name, splits in order, applies layout, flags, then renames', () => {
    const plan = planRestore([{ record: session(), name: 'work', tmpName: 'tmp' }], ctx());
    const verbs = plan.build.map((c) => c[0]);
    expect(plan.build[0]).toEqual(['new-session', '-d', '-s', 'tmp', '-x', '80', '-y', '24', '-n', 'ed##it', '-c', '/home/u', '--', '/usr/bin/bash', '-l']);
    expect(plan.build[1]).toEqual(['move-window', '-s', 'tmp:0', '-t', 'tmp:2']);
    expect(verbs).toContain('split-window');
    expect(plan.build).toContainEqual(['select-layout', '-t', 'tmp:2', 'abcd,80x24,0,0{40x24,0,0,1,39x24,41,0,2}']);
    expect(plan.build).toContainEqual(['set-option', '-w', '-t', 'tmp:5', 'automatic-rename', 'on']);
    // last window selected before the active one
    const sel = plan.build.filter((c) => c[0] === 'select-window').map((c) => c[2]);
    expect(sel).toEqual(['tmp:2', 'tmp:5']);
    expect(plan.finalize).toEqual([['rename-session', '-t', '=tmp', '--', 'work']]);
    expect(plan.rollback).toEqual([['kill-session', '-t', '=tmp']]);
    expect(plan.notes.some((n) => n.includes('/gone/deep is gone; starting in /'))).toBe(true);
    expect(plan.typing).toEqual([
      expect.objectContaining({ windowIndex: 2, position: 1, text: "vim 'a b'", enter: true }),
      expect.objectContaining({ windowIndex: 5, position: 0, text: 'sleep 9', enter: false }),
    ]);
  });

  it('types nothing with --no-commands and kills the replaced session before renaming', () => {
    const plan = planRestore([{ record: session(), name: 'work', tmpName: 'tmp', replaceId: '$9' }], ctx({ noCommands: true }));
    expect(plan.typing).toEqual([]);
    expect(plan.finalize[0]).toEqual(['kill-session', '-t', '$9']);
  });

  it('gates a pane with contents: sh waits for one line, then execs the shell', () => {
    const plan = planRestore([{ record: session(), name: 'w', tmpName: 't' }], ctx({ hasContents: () => true }));
    const first = plan.build[0]!;
    expect(first.slice(first.indexOf('--'))).toEqual(['--', 'sh', '-c', 'IFS= read -r _;exec "$@"', 'tsession-gate', '/usr/bin/bash', '-l']);
    // Each gated pane's creation prints its gate number, id and terminal.
    const printing = plan.build.filter((c) => c.includes('-P'));
    expect(printing).toHaveLength(plan.gates.length);
    printing.forEach((c, n) => expect(c[c.indexOf('-F') + 1]).toBe(`tsession-gate:${n} #{pane_id} #{pane_tty}`));
    expect(plan.gates.length).toBeGreaterThan(1);
  });

  it('sets a pane title only when it differs from the one tmux gives a new pane', () => {
    const titled = planRestore([{ record: session(), name: 'w', tmpName: 't' }], ctx());
    expect(titled.build.filter((c) => c.includes('-T')).length).toBeGreaterThan(0);
    const plain = planRestore([{ record: session(), name: 'w', tmpName: 't' }], ctx({ defaultTitle: 'host' }));
    expect(plain.build.filter((c) => c.includes('-T'))).toEqual([]);
  });

  it('gates nothing when no pane has contents', () => {
    const plan = planRestore([{ record: session(), name: 'w', tmpName: 't' }], ctx());
    expect(plan.gates).toEqual([]);
    expect(plan.build.some((c) => c.includes('-P') || c.includes('tsession-gate'))).toBe(false);
  });
});

describe('planRestore: shared windows', () => {
  const grouped = (name: string, activeIndex: number): SessionRecord => {
    const s = session();
    return { ...s, id: `$${name}`, name, group: 'work', windows: s.windows.map((w) => ({ ...w, active: w.index === activeIndex, last: false })) };
  };

  it('builds a group once; the other member joins it by its final name and picks its own window', () => {
    const plan = planRestore(
      [
        { record: grouped('work', 5), name: 'work', tmpName: 't0' },
        { record: grouped('view', 2), name: 'view', tmpName: 't1' },
      ],
      ctx(),
    );
    expect(plan.build.some((c) => c.includes('t1') || c.some((a) => a.startsWith('t1:')))).toBe(false);
    expect(plan.grouped.map((t) => t.name)).toEqual(['view']);
    expect(plan.finalize).toEqual([['rename-session', '-t', '=t0', '--', 'work']]);
    expect(plan.joins).toEqual([
      {
        name: 'view',
        commands: [
          ['new-session', '-d', '-t', '=work', '-s', 'view'],
          ['select-window', '-t', '=view:2'],
        ],
      },
    ]);
    // Commands are typed once, for the panes that were built.
    expect(plan.typing.every((t) => t.session === 't0')).toBe(true);
    expect(plan.rollback).toEqual([['kill-session', '-t', '=t0']]);
  });

  const running = (windows: { index: number; name: string }[]) => ctx({ liveGroups: new Map([['work', { member: 'work', windows }]]) });
  const sameAsSaved = [
    { index: 2, name: 'ed#it' },
    { index: 5, name: 'zsh' }, // automatic-rename on: its name may differ
  ];

  it('joins a running member of the group that has the saved windows instead of building', () => {
    const plan = planRestore([{ record: grouped('view', 2), name: 'view', tmpName: 't1' }], running(sameAsSaved));
    expect(plan.build).toEqual([]);
    expect(plan.joins[0]!.commands[0]).toEqual(['new-session', '-d', '-t', '=work', '-s', 'view']);
  });

  it('builds on its own, with a note, when the running group has other windows or --as asks for a copy', () => {
    const other = planRestore([{ record: grouped('view', 2), name: 'view', tmpName: 't1' }], running([{ index: 2, name: 'ed#it' }]));
    expect(other.joins).toEqual([]);
    expect(other.build[0]![0]).toBe('new-session');
    expect(other.notes).toContainEqual(expect.stringContaining('is running with other windows; restored on its own'));
    const copy = planRestore([{ record: grouped('view', 2), name: 'view-old', tmpName: 't1' }], running(sameAsSaved));
    expect(copy.joins).toEqual([]);
    expect(copy.notes).toContainEqual(expect.stringContaining('a copy (--as)'));
  });

  it('links from a running group the windows a joined session shares with a built one', () => {
    const other: SessionRecord = { ...session(), id: '$2', name: 'other', windows: [{ ...session().windows[1]!, index: 7 }, { ...session().windows[0]!, id: '@9', index: 0 }] };
    const plan = planRestore(
      [
        { record: other, name: 'other', tmpName: 't0' },
        { record: grouped('view', 2), name: 'view', tmpName: 't1' },
      ],
      running(sameAsSaved),
    );
    expect(plan.build).toContainEqual(['link-window', '-d', '-s', '=work:5', '-t', 't0:7']);
  });

  it('with no member built or running, a grouped session is built like any other', () => {
    const plan = planRestore([{ record: grouped('view', 2), name: 'view', tmpName: 't1' }], ctx());
    expect(plan.grouped).toEqual([]);
    expect(plan.joins).toEqual([]);
    expect(plan.build[0]![0]).toBe('new-session');
    expect(plan.finalize).toEqual([['rename-session', '-t', '=t1', '--', 'view']]);
  });

  it('a window linked into a second session is linked, not built again', () => {
    const other: SessionRecord = { ...session(), id: '$2', name: 'other', windows: [{ ...session().windows[1]!, index: 7 }, { ...session().windows[0]!, id: '@9', index: 0 }] };
    const plan = planRestore(
      [
        { record: session(), name: 'work', tmpName: 't0' },
        { record: other, name: 'other', tmpName: 't1' },
      ],
      ctx(),
    );
    expect(plan.build).toContainEqual(['link-window', '-d', '-s', 't0:5', '-t', 't1:7']);
    expect(plan.build.filter((c) => c[0] === 'new-window' || c[0] === 'new-session').length).toBe(3);
    // Typed once: the linked window's vim-less pane and the sleep belong to t0 only.
    expect(plan.typing.filter((t) => t.text === 'sleep 9').map((t) => t.session)).toEqual(['t0']);
  });

  it('a session whose every window is linked starts with a stand-in at the first link, which that link replaces', () => {
    const only: SessionRecord = { ...session(), id: '$3', name: 'mirror', windows: [{ ...session().windows[0]!, index: 3 }] };
    const plan = planRestore(
      [
        { record: session(), name: 'work', tmpName: 't0' },
        { record: only, name: 'mirror', tmpName: 't1' },
      ],
      ctx(),
    );
    const t1 = plan.build.filter((c) => c.some((a) => a === 't1' || a.startsWith('t1:')));
    expect(t1).toEqual([
      ['new-session', '-d', '-s', 't1', '--', 'cat'],
      ['move-window', '-s', 't1:0', '-t', 't1:3'],
      ['link-window', '-d', '-k', '-s', 't0:2', '-t', 't1:3'],
      ['select-window', '-t', 't1:3'],
    ]);
    expect(plan.build.some((c) => c[0] === 'kill-window')).toBe(false);
  });
});

describe('compareSessions', () => {
  it('reports vanished windows and changed cwds', () => {
    const a = session();
    const b = session();
    b.windows.pop();
    b.windows[0]!.panes[0]!.cwd = { path: '/elsewhere', source: 'proc' };
    const kinds = compareSessions(a, b).map((d) => d.kind);
    expect(kinds).toContain('window-missing');
    expect(kinds).toContain('cwd');
    expect(compareSessions(a, session())).toEqual([]);
  });
});
