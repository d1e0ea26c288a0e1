/**
 * Pure argv building for tmux: escaping, batching commands into one
 * invocation, splitting batches at tmux's message limit, script quoting,
 * server selection and the environment tmux gets. Never spawns (client.ts
 * does), so planners can build commands without pulling in processes.
 */
import { TmuxError } from './errors.js';
import type { ServerSpec } from './server.js';

/** One tmux command as argv, e.g. ['new-window', '-t', 'x:1']. */
export type TmuxCommand = readonly string[];

/**
 * Bytes of argv one tmux client may send: the client packs argv into one
 * imsg of at most 16384 bytes (MAX_IMSGSIZE) and refuses more with
 * "command too long". Keep a margin for the header and server argv.
 */
export const ARGV_BUDGET = 15_800;

/**
 * tmux treats an argument ending in `;` as a command separator (and drops the
 * `;`), even in argv. `\;` at the end is taken as a literal `;`, so escaping
 * the last `;` makes every value arrive unchanged.
 */
export function escapeArg(arg: string): string {
  return arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

/** Escape a value tmux format-expands (new-window -n/-c, select-pane -T, rename-*). */
export function escapeFormat(value: string): string {
  return value.replaceAll('#', '##');
}

/** Join commands into one argv list separated by `;` arguments. */
export function batchArgv(commands: readonly TmuxCommand[]): string[] {
  const out: string[] = [];
  commands.forEach((cmd, i) => {
    if (i > 0) out.push(';');
    for (const arg of cmd) out.push(escapeArg(arg));
  });
  return out;
}

/** Global argv selecting the server: -S path [-f config]. */
export function serverArgv(server: ServerSpec): string[] {
  return server.configFile
    ? ['-S', server.socketPath, '-f', server.configFile]
    : ['-S', server.socketPath];
}

/** Environment for tmux: never inherit $TMUX, so "nested" checks do not fire. */
export function tmuxEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  delete env.TMUX;
  delete env.TMUX_PANE;
  return env;
}

/**
 * A script argument: tmux's config language, single-quoted. Only values a
 * single quote holds verbatim are accepted (no quote, no backslash, no
 * control byte): scripts carry ids, numbers, flags and tsession's own
 * markers, never names or paths from a checkpoint (those go through argv).
 */
export function scriptArg(arg: string): string {
  if (!SCRIPT_SAFE.test(arg)) throw new Error(`Expected a tmux script argument without quotes, backslashes or control bytes, got ${JSON.stringify(arg)}`);
  return `'${arg}'`;
}
const SCRIPT_SAFE = /^[^'\\\x00-\x1f\x7f]*$/;

/** Split commands into batches whose packed argv fits one tmux client message. */
export function chunkCommands(commands: readonly TmuxCommand[], budget: number = ARGV_BUDGET): TmuxCommand[][] {
  const chunks: TmuxCommand[][] = [];
  let current: TmuxCommand[] = [];
  let size = 0;
  for (const cmd of commands) {
    // Each argument costs its UTF-8 bytes plus a NUL; the `;` separator 2.
    const cost = cmd.reduce((n, a) => n + Buffer.byteLength(escapeArg(a)) + 1, 2);
    // A smaller budget only aims for smaller chunks: one command may still
    // take all that tmux accepts, alone in its chunk.
    if (cost > ARGV_BUDGET) {
      throw new TmuxError('command-failed', `Expected a tmux command under ${ARGV_BUDGET} bytes, got ${cost} (${cmd[0]})`);
    }
    if (size + cost > budget && current.length) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(cmd);
    size += cost;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
