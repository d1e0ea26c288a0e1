/**
 * An independent dump of a tmux server's layout for round-trip assertions:
 * plain tmux formats and /proc, none of tsession's own reading code.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import type { TestServer } from '../helpers/tmux-server.js';

const US = '\x1f';
const RS = '\x1e';
const FIELDS = [
  'session_name',
  'window_index',
  'window_name',
  'automatic-rename',
  'window_layout',
  'window_active',
  'window_last_flag',
  'window_zoomed_flag',
  'pane_index',
  'pane_title',
  'pane_active',
  'pane_pid',
] as const;

/** One pane's line of the dump. */
export interface DumpPane {
  readonly session: string;
  readonly window: string;
  readonly windowName: string;
  readonly autoRename: string;
  /** Layout without checksum and pane ids (ids are per server). */
  readonly layout: string;
  readonly flags: string;
  readonly pane: string;
  readonly title: string;
  readonly paneActive: string;
  /** The shell's cwd from /proc. */
  readonly cwd: string;
  /** argv of the tty's foreground group leader, or null when the shell is in front. */
  readonly foreground: string[] | null;
}

function foregroundArgv(shellPid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${shellPid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(f[2]);
    const tpgid = Number(f[5]);
    if (tpgid <= 0 || tpgid === pgrp) return null;
    const raw = readFileSync(`/proc/${tpgid}/cmdline`, 'utf8');
    return raw.split('\0').slice(0, -1);
  } catch {
    return null;
  }
}

/** Dump every pane of the server, sorted. */
export function dumpServer(server: TestServer): DumpPane[] {
  const fmt = FIELDS.map((f) => `#{${f}}`).join(US) + RS;
  const out = server.tmux('list-panes', '-a', '-F', fmt);
  return out
    .split(`${RS}\n`)
    .filter(Boolean)
    .map((rec) => {
      const v = rec.split(US);
      const pid = Number(v[11]);
      let cwd: string;
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        cwd = '?';
      }
      return {
        session: v[0]!,
        window: v[1]!,
        windowName: v[2]!,
        autoRename: v[3]!,
        layout: v[4]!.replace(/^[0-9a-f]{4},/, '').replace(/(\d+x\d+,\d+,\d+),\d+(?=[,}\]]|$)/g, '$1'),
        flags: `active=${v[5]} last=${v[6]} zoomed=${v[7]}`,
        pane: v[8]!,
        title: v[9]!,
        paneActive: v[10]!,
        cwd,
        foreground: foregroundArgv(pid),
      };
    })
    .sort((a, b) => `${a.session}\0${a.window.padStart(4)}\0${a.pane.padStart(4)}`.localeCompare(`${b.session}\0${b.window.padStart(4)}\0${b.pane.padStart(4)}`));
}
