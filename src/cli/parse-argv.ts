/**
 * A command's argv checked against its options, with usage errors in our
 * own words: node:util parseArgs's texts ("To specify a positional argument
 * starting with a '-', place it at the end…") are not a person's line.
 * The options are checked token by token (parseArgs `tokens`), so an error
 * is decided by what the token is, never by parseArgs's message.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT } from '../exit-codes.js';
import { UserError } from '../user-error.js';
import type { OptionValues } from './argv.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** How one option is spelled back to a person: `--from` or `-L`. */
const spelled = (t: { rawName: string }): string => t.rawName;

/** Parsed argv, or a UserError (exit 2) naming the option and where to read the usage. */
export function parseCommandArgs(args: readonly string[], options: Options, command: string | undefined): { values: OptionValues; positionals: string[] } {
  const see = `see tsession ${command ? `${command} ` : ''}--help`;
  const loose = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  for (const t of loose.tokens) {
    if (t.kind !== 'option') continue;
    const spec = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
    if (!spec) throw new UserError(`Unknown option ${spelled(t)}${command ? ` for tsession ${command}` : ''}; ${see}`, EXIT.usage);
    if (spec.type === 'string' && t.value === undefined) throw new UserError(`Option ${spelled(t)} needs a value; ${see}`, EXIT.usage);
    if (spec.type === 'string' && t.inlineValue === false && t.value?.startsWith('-')) {
      throw new UserError(`Option ${spelled(t)} needs a value, got the option ${t.value} (write ${spelled(t)}=${t.value} for a value that starts with -); ${see}`, EXIT.usage);
    }
    if (spec.type === 'boolean' && t.value !== undefined) throw new UserError(`Option ${spelled(t)} takes no value, got ${JSON.stringify(t.value)}; ${see}`, EXIT.usage);
  }
  // Every token passed the checks above, so the strict parse can only agree; it is kept as the one source of values.
  const strict = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  return { values: strict.values as OptionValues, positionals: strict.positionals };
}
