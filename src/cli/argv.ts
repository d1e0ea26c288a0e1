/**
 * Where the command name sits in argv and what the global options say.
 * Shared by the command line and the bin's early start (src/cli/early.ts), so
 * the two can never disagree about which server a save reads.
 */
import { GLOBAL_OPTIONS } from './global-options.js';
import type { GlobalOptions } from '../context.js';

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** The command name (the first word that is neither an option nor a global option's value) and argv without it. */
export function splitCommand(argv: readonly string[]): { readonly name: string | undefined; readonly rest: string[] } {
  const first = argv.findIndex((a, i) => !a.startsWith('-') && !isGlobalValue(argv, i));
  if (first < 0) return { name: undefined, rest: [...argv] };
  return { name: argv[first], rest: [...argv.slice(0, first), ...argv.slice(first + 1)] };
}

/** True when argv[i] is the value of a global option that takes one (`-L work`). */
function isGlobalValue(argv: readonly string[], i: number): boolean {
  const prev = i > 0 ? argv[i - 1] : undefined;
  if (!prev) return false;
  for (const [long, spec] of Object.entries(GLOBAL_OPTIONS) as [string, { type: string; short?: string }][]) {
    if (spec.type === 'string' && (prev === `--${long}` || (spec.short && prev === `-${spec.short}`))) return true;
  }
  return false;
}

/** The global options among parsed values. */
export function globalOptionsOf(v: OptionValues): GlobalOptions {
  return {
    ...(typeof v.socket === 'string' ? { socketName: v.socket } : {}),
    ...(typeof v['socket-path'] === 'string' ? { socketPath: v['socket-path'] } : {}),
    ...(typeof v.config === 'string' ? { configFile: v.config } : {}),
    ...(typeof v['state-dir'] === 'string' ? { stateDir: v['state-dir'] } : {}),
    json: v.json === true,
    debug: v.debug === true,
  };
}
