#!/usr/bin/env node
/**
 * The tsession command line: the only place that reads argv, prints and
 * sets the exit code. Each command's code loads lazily, so `tsession save`
 * never loads the TUI. Argument parsing is node:util parseArgs (free to
 * load; an argv library costs ~30 ms of start-up here).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT } from './exit-codes.js';
import { toUserError } from './errors.js';
import { COMMANDS, GLOBAL_OPTIONS, commandHelp, mainHelp } from './commands/table.js';
import type { GlobalOptions } from './context.js';
import { UserError } from './user-error.js';

const VERSION = '0.1.0';

async function main(argv: string[]): Promise<number> {
  const first = argv.findIndex((a) => !a.startsWith('-') && !isGlobalValue(argv, a));
  const name = first >= 0 ? argv[first]! : undefined;
  const command = name !== undefined ? COMMANDS[name] : undefined;
  if (name !== undefined && !command) {
    throw new UserError(`Expected a command (${Object.keys(COMMANDS).join(', ')}), got ${JSON.stringify(name)}; see tsession --help`, EXIT.usage);
  }
  const rest = first >= 0 ? [...argv.slice(0, first), ...argv.slice(first + 1)] : argv;
  const options = { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) } as NonNullable<ParseArgsConfig['options']>;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserError(`${(e as Error).message.split('\n')[0]}; see tsession ${name ?? ''} --help`.replace('  ', ' '), EXIT.usage);
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (v.version) {
    process.stdout.write(`tsession ${VERSION}\n`);
    return EXIT.ok;
  }
  if (v.help) {
    process.stdout.write(command ? commandHelp(name!, command) : mainHelp());
    return EXIT.ok;
  }
  const global: GlobalOptions = {
    ...(typeof v.socket === 'string' ? { socketName: v.socket } : {}),
    ...(typeof v['socket-path'] === 'string' ? { socketPath: v['socket-path'] } : {}),
    ...(typeof v.config === 'string' ? { configFile: v.config } : {}),
    ...(typeof v['state-dir'] === 'string' ? { stateDir: v['state-dir'] } : {}),
    json: v.json === true,
    debug: v.debug === true,
  };
  const run = command ?? COMMANDS.default!;
  run.early?.(global);
  const { createContext } = await import('./context.js');
  const ctx = createContext(global);
  const mod = await run.load();
  return mod.run(ctx, v, parsed.positionals);
}

/** True when `arg` is the value of a global option taking one (-L work). */
function isGlobalValue(argv: string[], arg: string): boolean {
  const i = argv.indexOf(arg);
  const prev = i > 0 ? argv[i - 1] : undefined;
  if (!prev) return false;
  for (const [long, spec] of Object.entries(GLOBAL_OPTIONS) as [string, { type: string; short?: string }][]) {
    if (spec.type === 'string' && (prev === `--${long}` || (spec.short && prev === `-${spec.short}`))) return true;
  }
  return false;
}

const debug = process.argv.includes('--debug');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const ue = toUserError(e);
    if (ue) {
      process.stderr.write(`tsession: ${ue.message}\n`);
      if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
      process.exitCode = ue.exitCode;
      return;
    }
    const err = e as Error;
    process.stderr.write(`tsession: internal error: ${err?.message ?? String(e)}${debug ? '' : ' (run with --debug for details)'}\n`);
    if (debug && err?.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 70;
  },
);
