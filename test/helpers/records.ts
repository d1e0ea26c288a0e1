/** Checkpoint records shared by the pure planner and compare tests. */
import type { PaneRecord, SessionRecord } from '../../checkpoints/schema.js';

/** A pane record with a shell at its prompt in /home/u; `over` replaces fields. */
export const paneRecord = (over: Partial<PaneRecord> = {}): PaneRecord => ({
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

/**
 * A two-window session: window 2 (`ed#it`, two panes, vim in the second)
 * and window 5 (automatic-rename, `sleep 9` in a cwd that is gone).
 */
export const sessionRecord = (): SessionRecord => ({
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
      panes: [paneRecord(), paneRecord({ id: '%1', index: 1, active: false, foreground: { kind: 'job', command: 'vim', argv: ['vim', 'a b'], cwd: '/', source: 'proc' } })],
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
      panes: [paneRecord({ id: '%3', cwd: { path: '/gone/deep', source: 'proc' }, foreground: { kind: 'job', command: 'sleep', argv: ['sleep', '9'], cwd: '/', source: 'proc' } })],
    },
  ],
});
