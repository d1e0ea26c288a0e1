/**
 * Every command: its options, usage, help text and a lazy loader. The help
 * output is generated from this table, so it cannot drift from the parser.
 */
import type { Context, GlobalOptions } from '../../context.js';
import { GLOBAL_OPTIONS, type OptionSpec } from '../global-options.js';

export { GLOBAL_OPTIONS };

type Values = Record<string, string | boolean | string[] | undefined>;

/** A command module's entry point. */
export interface CommandModule {
  run(ctx: Context, values: Values, positionals: string[]): Promise<number>;
}

/** A command's description for the parser and the help text. */
export interface CommandSpec {
  readonly usage: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly string[];
  readonly load: () => Promise<CommandModule>;
  /** Work to start before the context and the command load (see save-early.ts). */
  readonly early?: (opts: GlobalOptions) => void;
}

/** The commands, in help order. `default` runs for a bare `tsession`. */
export const COMMANDS: Record<string, CommandSpec> = {
  save: {
    usage: 'save [SESSION…] [--force]',
    summary: 'checkpoint sessions (default: all) and print the checkpoint id',
    options: { force: { type: 'boolean', help: 'write even when only a default start-up session exists' } },
    examples: ['tsession save', 'tsession -L work save api db'],
    load: () => import('./save.js'),
    early: (opts) => void import('./save-early.js').then((m) => m.startLayoutRead(opts)),
  },
  restore: {
    usage: 'restore [SESSION…|--all] [--from ID] [--as NAME] [--replace] [--no-commands] [--dry-run]',
    summary: 'rebuild sessions from a checkpoint (default: every saved session not running)',
    options: {
      all: { type: 'boolean', help: 'every session of the checkpoint that is not running' },
      from: { type: 'string', arg: 'ID', help: 'checkpoint id (default: newest good)' },
      as: { type: 'string', arg: 'NAME', help: 'restore one session under another name' },
      replace: { type: 'boolean', help: 'replace a running session of the same name' },
      'no-commands': { type: 'boolean', help: 'start shells only; type or run no saved command' },
      'dry-run': { type: 'boolean', help: 'print the tmux commands and change nothing' },
    },
    examples: ['tsession restore', 'tsession restore api --as api-old', 'tsession restore --from 20261124T091530.123Z-… --dry-run'],
    load: () => import('./restore.js'),
  },
  checkpoints: {
    usage: 'checkpoints [SESSION] [--verify]',
    summary: 'list checkpoints: id, time, sessions, panes, size, valid',
    options: { verify: { type: 'boolean', help: 'read and check every checkpoint fully' } },
    examples: ['tsession checkpoints', 'tsession checkpoints api --verify --json'],
    load: () => import('./checkpoints.js'),
  },
  list: {
    usage: 'list',
    summary: 'live sessions and those only a checkpoint remembers',
    options: {},
    examples: ['tsession list', 'tsession list --json'],
    load: () => import('./list.js'),
  },
  diff: {
    usage: 'diff [SESSION] [--from ID]',
    summary: 'what differs between the live sessions and a checkpoint',
    options: { from: { type: 'string', arg: 'ID', help: 'checkpoint id (default: newest good)' } },
    examples: ['tsession diff', 'tsession diff api --json'],
    load: () => import('./diff.js'),
  },
  parse: {
    usage: 'parse [--nonce HEX] [--control] [FILE|-]',
    summary: 'print the shell-integration events in a byte stream as JSON lines',
    options: {
      nonce: { type: 'string', arg: 'HEX', help: "the pane's nonce: command lines carrying it are trusted" },
      control: { type: 'boolean', help: 'input is a tmux control-mode (tmux -C) stream' },
    },
    examples: ['tsession parse recording.bin', 'tmux -C attach | tsession parse --control -'],
    load: () => import('./parse-entry.js'),
  },
  'shell-integration': {
    usage: 'shell-integration bash|zsh|fish',
    summary: 'print the shell-integration script to source from your shell rc file',
    options: {},
    examples: ['eval "$(tsession shell-integration bash)"   # in ~/.bashrc'],
    load: () => import('./shell-integration-entry.js'),
  },
  unfreeze: {
    usage: 'unfreeze [SESSION] [--dry-run] [--yes]',
    summary: 'find frozen sessions, show the evidence and climb the repair ladder',
    options: {
      'dry-run': { type: 'boolean', help: 'print the evidence and the ladder, change nothing' },
      yes: { type: 'boolean', help: 'allow destructive steps: interrupt, terminate, respawn, end the server' },
    },
    examples: ['tsession unfreeze --dry-run', 'tsession -L work unfreeze api --yes'],
    load: () => import('./unfreeze.js'),
  },
  watch: {
    usage: 'watch [--interval SECONDS] [--health SECONDS] [--auto-restore] [--markers] [--print-unit]   (also: tsession --watch)',
    summary: 'follow the server headless: checkpoint on every change, notice crashes at once',
    options: {
      interval: { type: 'string', arg: 'SECONDS', help: 'also save this often when tmux reports nothing (default 60; 0: never)' },
      'auto-restore': { type: 'boolean', help: 'after a crash, restore the newest good checkpoint (at most 3 times in 10 min)' },
      health: { type: 'string', arg: 'SECONDS', help: 'probe for frozen sessions this often and journal changes (default 10; 0: never)' },
      markers: { type: 'boolean', help: "follow pane output: each shell's last command and exit code go into checkpoints" },
      'print-unit': { type: 'boolean', help: 'print a systemd user unit that runs this watch, and exit' },
    },
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
    options: {},
    examples: ['tsession status', 'tsession -L work status --json'],
    load: () => import('./status.js'),
  },
  log: {
    usage: 'log [--lines N]',
    summary: 'the recovery journal: what tsession noticed and did, and why',
    options: { lines: { type: 'string', short: 'n', arg: 'N', help: 'how many of the newest entries (default 20; 0: all)' } },
    examples: ['tsession log', 'tsession log -n 0 --json'],
    load: () => import('./log.js'),
  },
  default: {
    usage: '',
    summary: 'open the interface (on a terminal) or print the session list',
    options: {},
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
    .filter(([n]) => n !== 'default')
    .map(([n, c]) => `  ${n.padEnd(18)} ${c.summary}`);
  return [
    'tsession — keeps terminal work alive: checkpoints tmux sessions and restores them.',
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
export function commandHelp(name: string, c: CommandSpec): string {
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
