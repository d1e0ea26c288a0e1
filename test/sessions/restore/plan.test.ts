/**
 * The pure restore planner: names tmux stores, the plan, shared windows.
 */
import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../../checkpoints/schema.js';
import { normalizeLayout } from '../../../sessions/live/compare.js';
import { planRestore, tmuxStoredName, type PlanContext } from '../../../sessions/restore/plan.js';
import { session } from '../support/records.js';

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

  it('sets saved pane options last, never in the build (synchronize-panes would copy the restore\'s keys); none for older checkpoints', () => {
    const record = session();
    const w = record.windows[0]!;
    const withOptions = { ...record, windows: [{ ...w, panes: [{ ...w.panes[0]!, options: { synchronizePanes: true as const, remainOnExit: 'failed' as const } }, ...w.panes.slice(1)] }, ...record.windows.slice(1)] };
    const plan = planRestore([{ record: withOptions, name: 'w', tmpName: 't' }], ctx());
    expect(plan.options).toEqual([{ session: 't', windowIndex: w.index, position: 0, options: [['synchronize-panes', 'on'], ['remain-on-exit', 'failed']], where: `w:${w.index}.0` }]);
    expect(plan.build.some((c) => c.includes('synchronize-panes') || c.includes('remain-on-exit'))).toBe(false);
    expect(planRestore([{ record: session(), name: 'w', tmpName: 't' }], ctx()).options).toEqual([]);
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
