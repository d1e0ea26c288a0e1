/**
 * Bare `tsession`: the interface when both stdin and stdout are terminals;
 * otherwise (a pipe, a file, --json) the session list as `tsession list`
 * prints it, with its exit code. The interface's code loads only on a terminal.
 */
import type { Context } from '../../context.js';
import { listSessions } from '../../ops/list.js';
import { printList } from './list.js';

export async function run(ctx: Context): Promise<number> {
  if (!ctx.opts.json && process.stdin.isTTY && process.stdout.isTTY) {
    const { runTui } = await import('../../tui/run.js');
    return runTui(ctx);
  }
  return printList(ctx, await listSessions(ctx));
}
