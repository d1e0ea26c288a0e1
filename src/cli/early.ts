/**
 * Work the bin starts before it loads the command line: for `tsession
 * save`, the tmux layout read (save-early.ts), so that tmux answers while
 * the command line compiles and its modules load (~40 ms here) rather than
 * after. Lenient by design: anything it cannot make sense of is left to the
 * command line, which parses strictly and reports errors; a read started
 * for argv the command line then refuses is read-only and discarded.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { globalOptionsOf, splitCommand, type OptionValues } from './argv.js';
import { GLOBAL_OPTIONS } from './global-options.js';
import { startLayoutRead, type StartedLayoutRead } from '../ops/save-early.js';

/** What the bin started, handed to the command line. */
export interface EarlyWork {
  readonly layoutRead?: StartedLayoutRead;
}

export function startEarlyWork(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): EarlyWork {
  try {
    const { name, rest } = splitCommand(argv);
    if (name !== 'save') return {};
    const options = GLOBAL_OPTIONS as NonNullable<ParseArgsConfig['options']>;
    const values = parseArgs({ args: rest, options, allowPositionals: true, strict: false }).values as OptionValues;
    if (values.help || values.version) return {};
    return { layoutRead: startLayoutRead(globalOptionsOf(values), env) };
  } catch {
    return {};
  }
}
