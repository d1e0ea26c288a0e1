/** Helpers shared by the command-line glue (use cases live in src/ops/). */
import { count } from '../../../checkpoints/words.js';
import { EXIT } from '../../exit-codes.js';
import { UserError } from '../../user-error.js';

/** A usage error for a command that takes no positional arguments. */
export function refuseArguments(command: string, positionals: readonly string[]): void {
  if (positionals.length) {
    throw new UserError(`Expected no arguments for tsession ${command}, got ${positionals.map((p) => JSON.stringify(p)).join(' ')}; see tsession ${command} --help`, EXIT.usage);
  }
}

/** A usage error unless there are at most `max` positional arguments (`what`: "session name"). */
export function atMost(command: string, positionals: readonly string[], max: number, what: string): void {
  if (max === 0) return refuseArguments(command, positionals);
  if (positionals.length > max) {
    const extra = positionals.slice(max).map((p) => JSON.stringify(p)).join(' ');
    throw new UserError(`Expected at most ${count(max, what)} for tsession ${command}, got ${extra} too; see tsession ${command} --help`, EXIT.usage);
  }
}

/** The shells tsession writes scripts for (completion, shell integration). */
export const SCRIPT_SHELLS = ['bash', 'zsh', 'fish'] as const;

/** The one shell argument of `command`, or a usage error worded the same for every command that takes one. */
export function oneShell(command: string, positionals: readonly string[]): (typeof SCRIPT_SHELLS)[number] {
  const [shell, ...rest] = positionals;
  if (shell !== undefined && !rest.length && (SCRIPT_SHELLS as readonly string[]).includes(shell)) return shell as (typeof SCRIPT_SHELLS)[number];
  const got = shell === undefined ? 'nothing' : positionals.map((p) => JSON.stringify(p)).join(' ');
  throw new UserError(`Expected a shell of bash, zsh or fish, got ${got}; see tsession ${command} --help`, EXIT.usage);
}
