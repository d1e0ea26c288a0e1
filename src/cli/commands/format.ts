/** Shows argv as a copy-pasteable shell line (for --dry-run and messages), and checkpoints as a person reads them. */
import { idTimeMs } from '../../../checkpoints/ids.js';
import { age } from '../../../checkpoints/words.js';
import type { TmuxCommand } from '../../../sessions/tmux/argv.js';
import { quoteCommandLine } from '../../../sessions/restore/shell-quote.js';
import type { Context } from '../../context.js';

/**
 * The server options the user gave, as tmux spells them (`-L work`, `-S
 * /path`, `-f FILE`): printed commands reach the same server. None when
 * the server was picked as tmux picks it ($TMUX, the default socket).
 */
export function tmuxFlags(ctx: Pick<Context, 'opts'>): string[] {
  const o = ctx.opts;
  const server = o.socketPath !== undefined ? ['-S', o.socketPath] : o.socketName !== undefined ? ['-L', o.socketName] : [];
  return [...server, ...(o.configFile !== undefined ? ['-f', o.configFile] : [])];
}

export { tsessionServerFlags } from '../../ops/command-words.js';

/** `tmux -L work new-window -t 'x:1' …` as a person would type it in bash. */
export function formatCommand(cmd: TmuxCommand, flags: readonly string[] = []): string {
  const argv = [...flags, ...cmd];
  return `tmux ${quoteCommandLine(argv, 'posix-ansi') ?? argv.join(' ')}`;
}

/** A checkpoint as a person tells it apart: its id, and when it was made (`checkpoint 2026…-1a2b (3m ago)`). */
export function checkpointWords(id: string, now = Date.now()): string {
  const at = idTimeMs(id);
  return at === null ? `checkpoint ${id}` : `checkpoint ${id} (${age(now - at)} ago)`;
}
