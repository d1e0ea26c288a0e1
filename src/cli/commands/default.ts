/**
 * Bare `tsession`: the interface when both stdin and stdout are terminals;
 * otherwise (a pipe, a file, --json) the session list as `tsession list`
 * prints it, exit 0. The interface's code loads only on a terminal.
 */
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { formatList, listSessions } from './list.js';

export async function run(ctx: Context): Promise<number> {
  if (!ctx.opts.json && process.stdin.isTTY && process.stdout.isTTY) {
    const { runTui } = await import('../../tui/run.js');
    return runTui(ctx);
  }
  const { sessions, tmuxProblem } = await listSessions(ctx);
  if (ctx.opts.json) {
    process.stdout.write(`${JSON.stringify({ server: ctx.server, sessions })}\n`);
    return EXIT.ok;
  }
  if (tmuxProblem && !(tmuxProblem as string).startsWith('No tmux server')) ctx.warn(tmuxProblem);
  process.stdout.write(formatList(sessions));
  return EXIT.ok;
}
