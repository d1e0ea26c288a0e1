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
