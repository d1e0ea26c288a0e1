/**
 * The one conversion from live tmux state (sessions/layout.ts) plus /proc
 * facts to checkpoint records (checkpoints/schema.ts).
 */
import type { ContentsRef, PaneRecord, SessionRecord } from '../../checkpoints/schema.js';
import type { LivePane, LiveSession } from './types.js';
import type { PaneProcFacts } from '../proc/facts.js';
import { programName } from '../proc/program-name.js';

/** Per-pane inputs beyond what tmux said. */
export interface PaneExtras {
  readonly proc?: PaneProcFacts;
  readonly contents?: ContentsRef | null;
  readonly lastCommand?: PaneRecord['lastCommand'];
  /** The shell's cwd from a better rung than /proc (shell integration), with its provenance. */
  readonly cwd?: PaneRecord['cwd'];
}

/** Convert one live pane; /proc facts win over tmux's, and unknown stays null. */
export function paneToRecord(p: LivePane, extras: PaneExtras = {}): PaneRecord {
  const proc = extras.proc;
  const shellArgv = proc?.shellArgv ?? null;
  const cwd = extras.cwd ?? (proc?.shellCwd
    ? { path: proc.shellCwd, source: 'proc' as const }
    : { path: p.currentPath || '/', source: 'tmux' as const });
  let foreground: PaneRecord['foreground'];
  if (proc && !proc.job) {
    foreground = { kind: 'shell' };
  } else if (proc?.job) {
    const argv = proc.job.argv;
    foreground = {
      kind: 'job',
      command: argv ? programName(argv[0] ?? '') : p.currentCommand,
      argv,
      cwd: proc.job.cwd,
      source: argv ? 'proc' : 'tmux',
    };
  } else {
    // No /proc (another host's pid namespace, or the pane is gone): tmux's
    // view only. Its "current command" equal to the shell means no job.
    const shellName = shellArgv ? programName(shellArgv[0] ?? '') : null;
    foreground =
      !shellName || p.currentCommand === shellName
        ? { kind: 'shell' }
        : { kind: 'job', command: p.currentCommand, argv: null, cwd: null, source: 'tmux' };
  }
  return {
    id: p.id,
    index: p.index,
    title: p.title,
    active: p.active,
    last: p.last,
    width: Math.max(1, p.width),
    height: Math.max(1, p.height),
    shell: { command: shellArgv ? programName(shellArgv[0] ?? '') : p.currentCommand, argv: shellArgv },
    cwd,
    foreground,
    contents: extras.contents ?? null,
    ...(extras.lastCommand !== undefined ? { lastCommand: extras.lastCommand } : {}),
    ...(p.options ? { options: { ...p.options } } : {}),
  };
}

/** Convert one live session. */
export function sessionToRecord(s: LiveSession, extras: (p: LivePane) => PaneExtras = () => ({})): SessionRecord {
  return {
    id: s.id,
    name: s.name,
    baseIndex: s.baseIndex,
    createdAt: s.created,
    ...(s.group ? { group: s.group } : {}),
    windows: s.windows.map((w) => ({
      id: w.id,
      index: w.index,
      name: w.name,
      automaticRename: w.automaticRename,
      layout: w.layout,
      active: w.active,
      last: w.last,
      zoomed: w.zoomed,
      panes: w.panes.map((p) => paneToRecord(p, extras(p))),
    })),
  };
}
