/**
 * The options every command accepts, apart from the command table so the
 * bin's early start (src/cli/early.ts) can read them without bundling every
 * command.
 */

/** One option, for the parser and the help text. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** One line for --help. */
  readonly help: string;
  readonly arg?: string;
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS = {
  socket: { type: 'string', short: 'L', arg: 'NAME', help: 'tmux server socket name (like tmux -L)' },
  'socket-path': { type: 'string', short: 'S', arg: 'PATH', help: 'tmux server socket path (like tmux -S)' },
  config: { type: 'string', short: 'f', arg: 'FILE', help: 'tmux config for a server tsession has to start (like tmux -f)' },
  'state-dir': { type: 'string', arg: 'DIR', help: 'where checkpoints live (default $XDG_STATE_HOME/tsession)' },
  json: { type: 'boolean', help: 'one JSON document on stdout (log and parse: JSON Lines)' },
  debug: { type: 'boolean', help: 'print stack traces for errors, pointing at the source files' },
  help: { type: 'boolean', short: 'h', help: 'show help' },
  version: { type: 'boolean', short: 'V', help: 'print the version' },
} as const satisfies Record<string, OptionSpec>;
