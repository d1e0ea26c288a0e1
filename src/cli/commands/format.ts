/** Shows argv as a copy-pasteable shell line (for --dry-run and messages). */
import type { TmuxCommand } from '../../../sessions/tmux/argv.js';
import { quoteCommandLine } from '../../../sessions/restore/shell-quote.js';

/** `tmux new-window -t 'x:1' …` as a person would type it in bash. */
export function formatCommand(cmd: TmuxCommand): string {
  return `tmux ${quoteCommandLine(cmd, 'posix-ansi') ?? cmd.join(' ')}`;
}
