/**
 * How one difference between a checkpoint and the live session reads: the
 * same line in `tsession diff` and in the interface's diff panel, in a
 * person's words rather than the comparer's kinds. Pure.
 */
import { visible } from '../../checkpoints/words.js';
import type { Difference } from '../../sessions/live/compare.js';

/** What each kind of difference is about, before its place. */
const SUBJECT: Readonly<Record<Exclude<Difference['kind'], 'window-missing' | 'window-extra' | 'flag'>, string>> = {
  'window-name': 'window name',
  'pane-count': 'panes in window',
  layout: 'layout of window',
  cwd: 'cwd of pane',
  command: 'program in pane',
};

/** tmux's window and pane flags, as a person names them. */
const FLAG_WORDS: Readonly<Record<string, string>> = { active: 'active', last: 'last window', zoomed: 'zoomed', automaticRename: 'automatic-rename' };

const yesNo = (v: string) => (v === 'true' ? 'yes' : v === 'false' ? 'no' : visible(v));

/** One difference as a line: `window api:2 "logs" is not in the checkpoint`, `program in pane api:0.1: saved vim | live shell`. */
export function differenceText(d: Difference): string {
  switch (d.kind) {
    case 'window-missing':
      return `window ${visible(d.where)} "${visible(d.saved)}" is gone: restoring brings it back`;
    case 'window-extra':
      return `window ${visible(d.where)} "${visible(d.live)}" is not in the checkpoint`;
    case 'flag': {
      // The comparer's place is `api:0 last` (window) or `api:0.1 active` (pane).
      const at = d.where.lastIndexOf(' ');
      const flag = d.where.slice(at + 1);
      return `${FLAG_WORDS[flag] ?? visible(flag)} ${visible(d.where.slice(0, at))}: saved ${yesNo(d.saved)} | live ${yesNo(d.live)}`;
    }
    default:
      return `${SUBJECT[d.kind]} ${visible(d.where)}: saved ${visible(d.saved)} | live ${visible(d.live)}`;
  }
}
