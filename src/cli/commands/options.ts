/**
 * Each command's options, as data: the parser and the help text read them
 * (table.ts), and each command's values type is derived from them, so an
 * option a command reads but does not declare — a typo — does not compile.
 */
import { GLOBAL_OPTIONS, type OptionSpec } from '../global-options.js';

/** The options of every command, by command name. `default` runs for a bare `tsession`. */
export const COMMAND_OPTIONS = {
  save: {
    force: { type: 'boolean', help: 'write even when only a default start-up session exists' },
    timings: { type: 'boolean', help: "with --json: add the save's internal timings (for benchmarks)" },
  },
  restore: {
    all: { type: 'boolean', help: 'every saved session that is not running, those closed on purpose too (bare: not those)' },
    from: { type: 'string', arg: 'ID', help: 'checkpoint id or a unique start of one (default: newest good)' },
    as: { type: 'string', arg: 'NAME', help: 'restore one session under another name' },
    replace: { type: 'boolean', help: 'replace a running session of the same name' },
    'no-commands': { type: 'boolean', help: 'start shells only; type or run no saved command' },
    wait: { type: 'boolean', help: 'return once saved commands are typed (default: a background typist types them as shells start)' },
    'dry-run': { type: 'boolean', help: 'print the tmux commands and change nothing' },
    timings: { type: 'boolean', help: "with --json: add the restore's internal timings (for benchmarks)" },
  },
  checkpoints: { verify: { type: 'boolean', help: 'read and check every checkpoint fully' } },
  list: {},
  forget: {},
  diff: {
    from: { type: 'string', arg: 'ID', help: 'checkpoint id or a unique start of one (default: newest good)' },
    'exit-code': { type: 'boolean', help: 'exit 1 when something differs, 0 when nothing does (as git diff --exit-code)' },
  },
  parse: {
    nonce: { type: 'string', arg: 'NONCE', help: "the pane's nonce (16-128 letters and digits): command lines carrying it are trusted" },
    control: { type: 'boolean', help: 'input is a tmux control-mode (tmux -C) stream' },
  },
  'shell-integration': {},
  unfreeze: {
    'dry-run': { type: 'boolean', help: 'print the evidence and the ladder, change nothing' },
    yes: { type: 'boolean', help: 'allow destructive steps: interrupt, terminate, respawn, end the server' },
  },
  watch: {
    interval: { type: 'string', arg: 'SECONDS', help: 'also save this often when tmux reports nothing (default 60; 0: never)' },
    'auto-restore': { type: 'boolean', help: 'after a crash, restore the newest good checkpoint (at most 3 times in 10 min)' },
    health: { type: 'string', arg: 'SECONDS', help: 'probe for frozen sessions this often and journal changes (default 10; 0: never)' },
    markers: { type: 'boolean', help: "follow pane output: each shell's last command and exit code go into checkpoints" },
    'auto-unfreeze': { type: 'boolean', help: 'resume a stopped job or server and release XOFF on their own once a freeze lasts (never a destructive step)' },
    'auto-unfreeze-after': { type: 'string', arg: 'SECONDS', help: 'how long a freeze lasts before --auto-unfreeze acts (default 3)' },
    'max-restores': { type: 'string', arg: 'N', help: 'automatic restores allowed in 10 min before the server is left down (default 3)' },
    'print-unit': { type: 'boolean', help: 'print a systemd user unit that runs this watch, and exit' },
  },
  status: {},
  log: {
    lines: { type: 'string', short: 'n', arg: 'N', help: 'how many of the newest entries (default 20; 0: all)' },
    tmux: { type: 'boolean', help: "only the tmux server's journal (its watch daemon, commands on it)" },
    pty: { type: 'boolean', help: "only the PTY host's journal (its starts, crashes, sessions)" },
  },
  new: {
    cwd: { type: 'string', arg: 'DIR', help: 'start in DIR (default: here)' },
    detach: { type: 'boolean', short: 'd', help: 'create it and do not attach' },
  },
  attach: { 'read-only': { type: 'boolean', help: 'watch without typing or resizing' } },
  peek: { ansi: { type: 'boolean', help: 'print the screen with its colours and modes (escape sequences)' } },
  kill: { yes: { type: 'boolean', help: 'do not ask (needed when not on a terminal)' } },
  'pty-host': { 'print-unit': { type: 'boolean', help: 'print a systemd user unit that runs the PTY host, and exit' } },
  import: {},
  'tmux-conf': {},
  completion: {},
  doctor: {},
  __complete: {},
  default: {},
} as const satisfies Record<string, Record<string, OptionSpec>>;

/** A command's name. */
export type CommandName = keyof typeof COMMAND_OPTIONS;

/** Commands left out of the help and of completion: a bare `tsession`, and the completion scripts' question. */
export const HIDDEN_COMMANDS: ReadonlySet<string> = new Set(['default', '__complete']);

/** A positional argument's kind, for shell completion: fixed words, or values looked up when completing. */
export type Operand =
  | { readonly kind: 'words'; readonly words: readonly string[] }
  | { readonly kind: 'session' | 'checkpoint' | 'file' };

const SESSION: readonly Operand[] = [{ kind: 'session' }];
const SHELLS: readonly Operand[] = [{ kind: 'words', words: ['bash', 'zsh', 'fish'] }];

/** What each command's positional arguments are: the i-th takes operands[i] (the last one repeats); absent: none. */
export const COMMAND_OPERANDS: { readonly [C in CommandName]?: readonly Operand[] } = {
  save: SESSION,
  restore: SESSION,
  checkpoints: SESSION,
  forget: SESSION,
  diff: SESSION,
  unfreeze: SESSION,
  parse: [{ kind: 'file' }],
  'shell-integration': SHELLS,
  import: [{ kind: 'words', words: ['resurrect'] }, { kind: 'file' }],
  completion: SHELLS,
};

/** What node:util parseArgs yields for one option spec. */
type ValueOf<O extends OptionSpec> = O['type'] extends 'string' ? (O extends { readonly multiple: true } ? string[] : string) : boolean;

/** Parsed values of a set of options: each may be absent. */
export type OptionValuesOf<Options> = { readonly [K in keyof Options]?: Options[K] extends OptionSpec ? ValueOf<Options[K]> : never };

/** The values a command's run() gets: its own options and the global ones. */
export type ValuesOf<C extends CommandName> = OptionValuesOf<(typeof COMMAND_OPTIONS)[C] & typeof GLOBAL_OPTIONS>;
