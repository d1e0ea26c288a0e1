/** Saved records for pure tests of the restore planner and the comparer. */
import type { PaneRecord, SessionRecord } from '../../../checkpoints/schema.js';

/** A shell pane, with `over` applied. */
export const pane = (over: Partial<PaneRecord> = {}): PaneRecord => ({
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

/** A session of two windows: a split one (a shell and vim), and one running sleep in a cwd that is gone. */
export const session = (): SessionRecord => ({
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
