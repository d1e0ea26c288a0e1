/**
 * A tsession command line to paste, for the server the user named: a hint
 * that says `tsession list` to someone who ran `tsession -L work …` sends
 * them to the wrong server. Pure. Non-goals: tmux command lines (the CLI's
 * format.ts), quoting for a shell beyond the server flags.
 */
import { quoteCommandLine } from '../../sessions/restore/shell-quote.js';
import type { GlobalOptions } from '../context.js';

/** tsession's own options selecting the server the user named (`-L work`, `-S /path`). */
export function tsessionServerFlags(ctx: { readonly opts: Pick<GlobalOptions, 'socketPath' | 'socketName'> }): string[] {
  const o = ctx.opts;
  return o.socketPath !== undefined ? ['-S', o.socketPath] : o.socketName !== undefined ? ['-L', o.socketName] : [];
}

/** `tsession -L work list`: `words` after the server flags, the flags quoted for a shell where they need it. */
export function tsessionCommand(ctx: { readonly opts: Pick<GlobalOptions, 'socketPath' | 'socketName'> }, ...words: string[]): string {
  const flags = tsessionServerFlags(ctx);
  const quoted = flags.length ? (quoteCommandLine(flags, 'posix-ansi') ?? flags.join(' ')) : '';
  return ['tsession', quoted, ...words].filter(Boolean).join(' ');
}
