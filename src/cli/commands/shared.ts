/** Helpers shared by the command-line glue (use cases live in src/ops/). */
import { EXIT } from '../../exit-codes.js';
import { UserError } from '../../user-error.js';

/** A usage error for a command that takes no positional arguments. */
export function refuseArguments(command: string, positionals: readonly string[]): void {
  if (positionals.length) {
    throw new UserError(`${command} takes no arguments, got ${JSON.stringify(positionals[0])}; see tsession ${command} --help`, EXIT.usage);
  }
}
