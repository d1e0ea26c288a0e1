/**
 * The tsession command line: the only place that reads argv, prints and
 * sets the exit code. Each command's code loads lazily, so `tsession save`
 * never loads the TUI. Argument parsing is node:util parseArgs (free to
 * load; an argv library costs ~30 ms of start-up here). Run by the bin
 * (src/cli/bin.ts, bundled). Typed errors are turned into exit codes by
 * src/errors.ts, loaded only when a command fails.
 */
import type { ParseArgsConfig } from 'node:util';
import { globalOptionsOf, splitCommand } from './argv.js';
import { parseCommandArgs } from './parse-argv.js';
import { errorMessage } from '../../checkpoints/result.js';
import { EXIT } from '../exit-codes.js';
import { UserError } from '../user-error.js';
import { TSESSION_VERSION } from '../version.js';
import { COMMANDS, GLOBAL_OPTIONS, commandHelp, mainHelp, type AnyCommandSpec, type CommandName } from './commands/table.js';
import { HIDDEN_COMMANDS } from './commands/options.js';
import type { Context } from '../context.js';
import type { EarlyWork } from './early.js';

/** A command a person can name: `default` is what a bare `tsession` runs, not a word to type. */
const isCommand = (name: string): name is CommandName => name !== 'default' && Object.hasOwn(COMMANDS, name);

/**
 * `tsession --watch` (the brief's spelling) is the watch command, unless a
 * command is named (then `--watch` is an unknown option of that command).
 */
function splitWatch(argv: readonly string[]): { name: string | undefined; rest: string[] } {
  const at = argv.indexOf('--watch');
  if (at < 0) return splitCommand(argv);
  const rest = argv.filter((_, i) => i !== at);
  const split = splitCommand(rest);
  // `--watch --interval 5`: the first bare word is an option's value, not a command.
  return split.name !== undefined && isCommand(split.name) ? splitCommand(argv) : { name: 'watch', rest };
}

async function main(argv: string[], early: EarlyWork): Promise<number> {
  const { name, rest } = splitWatch(argv);
  const command: AnyCommandSpec | undefined = name !== undefined && isCommand(name) ? COMMANDS[name] : undefined;
  if (name !== undefined && !command) {
    throw new UserError(`Expected a command (${Object.keys(COMMANDS).filter((n) => !HIDDEN_COMMANDS.has(n)).join(', ')}), got ${JSON.stringify(name)}; see tsession --help`, EXIT.usage);
  }
  const options = { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) } as NonNullable<ParseArgsConfig['options']>;
  const parsed = parseCommandArgs(rest, options, name);
  const v = parsed.values;
  if (v.version) {
    process.stdout.write(v.json ? `${JSON.stringify({ version: TSESSION_VERSION })}\n` : `tsession ${TSESSION_VERSION}\n`);
    return EXIT.ok;
  }
  if (v.help) {
    const help = command ? commandHelp(command) : mainHelp();
    process.stdout.write(v.json ? `${JSON.stringify({ command: name ?? null, help })}\n` : help);
    return EXIT.ok;
  }
  const global = globalOptionsOf(v);
  const run: AnyCommandSpec = command ?? COMMANDS.default;
  if (early.layoutRead && run === COMMANDS.save) {
    (await import('../ops/save-early.js')).adoptLayoutRead(early.layoutRead);
  } else {
    run.early?.(global);
  }
  const { createContext } = await import('../context.js');
  const ctx = createContext(global);
  const mod = await run.load();
  // parseCommandArgs checked argv against this command's own options, so
  // the values are that command's: the one place they meet its run().
  return (mod.run as (c: Context, values: typeof v, positionals: string[]) => Promise<number>)(ctx, v, parsed.positionals);
}

/** Run the command line on `argv` and set the exit code; user errors print one line. */
export function runCli(argv: string[], early: EarlyWork = {}): Promise<void> {
  const debug = argv.includes('--debug');
  return main(argv, early).then(
    (code) => {
      process.exitCode = code;
    },
    async (e: unknown) => {
      const { exitCodeOf } = await import('../errors.js');
      const code = exitCodeOf(e);
      if (code !== null) {
        process.stderr.write(`tsession: ${errorMessage(e)}\n`);
        if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
        process.exitCode = code;
        return;
      }
      process.stderr.write(`tsession: internal error: ${errorMessage(e)}${debug ? '' : ' (run with --debug for details)'}\n`);
      if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
