/**
 * Every command: its usage, help text and a lazy loader; its options come
 * from options.ts. The help output is generated from this table, so it
 * cannot drift from the parser.
 */
import type { Context, GlobalOptions } from '../../context.js';
import { GLOBAL_OPTIONS, type OptionSpec } from '../global-options.js';
import { COMMAND_OPTIONS, HIDDEN_COMMANDS, type CommandName, type ValuesOf } from './options.js';

export { GLOBAL_OPTIONS };
export type { CommandName };

/** A command module's entry point: its values typed by its own options. */
export interface CommandModule<C extends CommandName> {
  run(ctx: Context, values: ValuesOf<C>, positionals: string[]): Promise<number>;
}

/** A command's description for the parser and the help text. */
export interface CommandSpec<C extends CommandName> {
  readonly usage: string;
  readonly summary: string;
  readonly options: (typeof COMMAND_OPTIONS)[C];
  readonly examples: readonly string[];
  readonly load: () => Promise<CommandModule<C>>;
  /** Work to start before the context and the command load (see src/ops/save-early.ts). */
  readonly early?: (opts: GlobalOptions) => void;
}

/** Any command's spec, as main.ts and the help text handle them. */
export type AnyCommandSpec = { readonly [C in CommandName]: CommandSpec<C> }[CommandName];

/** The commands, in help order. `default` runs for a bare `tsession`. */
export const COMMANDS: { readonly [C in CommandName]: CommandSpec<C> } = {
  save: {
    usage: 'save [SESSION…] [--force]',
    summary: 'checkpoint sessions (default: all) and print the checkpoint id',
    options: COMMAND_OPTIONS.save,
    examples: ['tsession save', 'tsession -L work save api db'],
    load: () => import('./save.js'),
    early: (opts) => void import('../../ops/save-early.js').then((m) => m.startLayoutRead(opts)),
  },
  restore: {
    usage: 'restore [SESSION…|--all] [--from ID] [--as NAME] [--replace] [--no-commands] [--wait] [--dry-run]',
    summary: 'rebuild sessions from a checkpoint (default: every saved session not running)',
    options: COMMAND_OPTIONS.restore,
    examples: ['tsession restore', 'tsession restore api --as api-old', 'tsession restore --from 20261124T0915 --dry-run   # an id, or its start as in git'],
    load: () => import('./restore.js'),
  },
  checkpoints: {
    usage: 'checkpoints [SESSION] [--verify]',
    summary: 'list checkpoints, newest first: time, age, cause, sessions, panes, size, valid, id',
    options: COMMAND_OPTIONS.checkpoints,
    examples: ['tsession checkpoints', 'tsession checkpoints api --verify --json'],
    load: () => import('./checkpoints.js'),
  },
  list: {
    usage: 'list',
    summary: 'live sessions and those only a checkpoint remembers',
    options: COMMAND_OPTIONS.list,
    examples: ['tsession list', 'tsession list --json'],
    load: () => import('./list.js'),
  },
  forget: {
    usage: 'forget SESSION',
    summary: 'forget a saved session that is not running: gone from list, the interface and a bare restore (checkpoints other sessions need are kept)',
    options: COMMAND_OPTIONS.forget,
    examples: ['tsession forget old-experiment'],
    load: () => import('./forget.js'),
  },
  diff: {
    usage: 'diff [SESSION] [--from ID] [--exit-code]',
    summary: 'what differs between the live sessions and a checkpoint',
    options: COMMAND_OPTIONS.diff,
    examples: ['tsession diff', 'tsession diff api --json', 'tsession diff api --exit-code >/dev/null || echo changed'],
    load: () => import('./diff.js'),
  },
  parse: {
    usage: 'parse [--nonce NONCE] [--control] [FILE|-]',
    summary: 'print the shell-integration events in a byte stream as JSON lines',
    options: COMMAND_OPTIONS.parse,
    examples: ['tsession parse recording.bin', 'tmux -C attach | tsession parse --control -'],
    load: () => import('./parse-entry.js'),
  },
  'shell-integration': {
    usage: 'shell-integration bash|zsh|fish',
    summary: 'print the shell-integration script to source from your shell rc file',
    options: COMMAND_OPTIONS['shell-integration'],
    examples: ['eval "$(tsession shell-integration bash)"   # in ~/.bashrc'],
    load: () => import('./shell-integration-entry.js'),
  },
  unfreeze: {
    usage: 'unfreeze [SESSION] [--dry-run] [--yes]',
    summary: 'find frozen sessions, show the evidence and climb the repair ladder',
    options: COMMAND_OPTIONS.unfreeze,
    examples: ['tsession unfreeze --dry-run', 'tsession -L work unfreeze api --yes'],
    load: () => import('./unfreeze.js'),
  },
  watch: {
    usage: 'watch [--interval SECONDS] [--health SECONDS] [--auto-restore] [--markers] [--print-unit]   (also: tsession --watch)',
    summary: 'follow the server headless: checkpoint on every change, notice crashes at once',
    options: COMMAND_OPTIONS.watch,
    examples: [
      'tsession --watch',
      'tsession -L work --watch --auto-restore',
      'tsession --watch --print-unit > ~/.config/systemd/user/tsession-watch.service',
    ],
    load: () => import('./watch.js'),
  },
  status: {
    usage: 'status',
    summary: "whether a watch daemon follows the server, and its last save, detection and restore",
    options: COMMAND_OPTIONS.status,
    examples: ['tsession status', 'tsession -L work status --json'],
    load: () => import('./status.js'),
  },
  log: {
    usage: 'log [--lines N] [--tmux | --pty]',
    summary: "the recovery journals (the tmux server's and the PTY host's, by time): what tsession noticed and did, and why",
    options: COMMAND_OPTIONS.log,
    examples: ['tsession log', 'tsession log -n 0 --json', 'tsession log --pty'],
    load: () => import('./log.js'),
  },
  new: {
    usage: 'new NAME [--cwd DIR] [-d] [-- CMD ARGS…]',
    summary: 'start a PTY session tsession hosts (your shell, or CMD) and attach to it; it outlives the terminal',
    options: COMMAND_OPTIONS.new,
    examples: ['tsession new work', 'tsession new logs -d -- tail -f /var/log/syslog'],
    load: () => import('./new.js'),
  },
  attach: {
    usage: 'attach NAME [--read-only]',
    summary: 'attach this terminal to a PTY session (detach: Ctrl-\\, or pty.detachKey in the config)',
    options: COMMAND_OPTIONS.attach,
    examples: ['tsession attach work', 'tsession attach work --read-only'],
    load: () => import('./attach.js'),
  },
  peek: {
    usage: 'peek NAME [--ansi]',
    summary: "print a PTY session's current screen without attaching",
    options: COMMAND_OPTIONS.peek,
    examples: ['tsession peek work', 'tsession peek work --ansi'],
    load: () => import('./peek.js'),
  },
  kill: {
    usage: 'kill NAME [--yes]',
    summary: 'end a PTY session (hang up its shell) and forget it',
    options: COMMAND_OPTIONS.kill,
    examples: ['tsession kill work', 'tsession kill work --yes'],
    load: () => import('./kill.js'),
  },
  'pty-host': {
    usage: 'pty-host [--print-unit]',
    summary: 'run the PTY host in the foreground (new/attach start it on demand)',
    options: COMMAND_OPTIONS['pty-host'],
    examples: ['tsession pty-host --print-unit > ~/.config/systemd/user/tsession-pty.service'],
    load: () => import('./pty-host.js'),
  },
  import: {
    usage: 'import resurrect [FILE]',
    summary: "turn a tmux-resurrect save (default: its newest, `last`) and its pane contents into a checkpoint",
    options: COMMAND_OPTIONS.import,
    examples: ['tsession import resurrect', 'tsession -L work import resurrect ~/.tmux/resurrect/tmux_resurrect_20240102T030405.txt'],
    load: () => import('./import.js'),
  },
  'tmux-conf': {
    usage: 'tmux-conf',
    summary: 'print the tmux.conf lines that load tsession.tmux: prefix C-s saves, prefix C-r opens the interface in a popup',
    options: COMMAND_OPTIONS['tmux-conf'],
    examples: ['tsession tmux-conf >> ~/.tmux.conf'],
    load: () => import('./tmux-conf.js'),
  },
  completion: {
    usage: 'completion bash|zsh|fish',
    summary: 'print the shell completion script: commands, options, session names, checkpoint ids',
    options: COMMAND_OPTIONS.completion,
    examples: ['tsession completion bash > ~/.local/share/bash-completion/completions/tsession'],
    load: () => import('./completion.js'),
  },
  doctor: {
    usage: 'doctor',
    summary: 'check tmux, the state dir, the config, shell integration, the watch daemon and node-pty; one line per check with a fix',
    options: COMMAND_OPTIONS.doctor,
    examples: ['tsession doctor', 'tsession -L work doctor --json'],
    load: () => import('./doctor.js'),
  },
  __complete: {
    usage: '__complete -- WORD…',
    summary: 'the completion scripts ask this for candidates',
    options: COMMAND_OPTIONS.__complete,
    examples: ['tsession __complete -- restore ""'],
    load: () => import('./complete.js'),
  },
  default: {
    usage: '',
    summary: 'open the interface (on a terminal) or print the session list',
    options: COMMAND_OPTIONS.default,
    examples: ['tsession'],
    load: () => import('./default.js'),
  },
};

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  return Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.arg ? ` ${o.arg}` : ''}`;
    return `  ${flag.padEnd(28)} ${o.help}`;
  });
}

/** `tsession --help`. */
export function mainHelp(): string {
  const cmds = Object.entries(COMMANDS)
    .filter(([n]) => !HIDDEN_COMMANDS.has(n))
    .map(([n, c]) => `  ${n.padEnd(18)} ${c.summary}`);
  return [
    'tsession — keeps terminal work alive: checkpoints tmux sessions and hosts PTY sessions of its own, and restores both.',
    '',
    'Usage: tsession [global options] [COMMAND] [options]',
    '       tsession            open the interface (or print the session list when not on a terminal)',
    '       tsession --watch    follow the server headless and checkpoint every change (tsession watch --help)',
    '',
    'Commands:',
    ...cmds,
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Run tsession COMMAND --help for a command\'s options and examples.',
    '',
  ].join('\n');
}

/** `tsession COMMAND --help`. */
export function commandHelp(c: AnyCommandSpec): string {
  return [
    `Usage: tsession ${c.usage}`,
    '',
    c.summary,
    '',
    ...(Object.keys(c.options).length ? ['Options:', ...optionLines(c.options), ''] : []),
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Examples:',
    ...c.examples.map((e) => `  ${e}`),
    '',
  ].join('\n');
}
