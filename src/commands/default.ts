/**
 * Bare `tsession`: the interface on a terminal; otherwise (a pipe, a file,
 * or before the TUI is available) the session list with a hint.
 */
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { formatList, listSessions } from './list.js';

export async function run(ctx: Context): Promise<number> {
  const { sessions, tmuxProblem } = await listSessions(ctx);
  if (ctx.opts.json) {
    process.stdout.write(`${JSON.stringify({ server: ctx.server, sessions })}\n`);
    return EXIT.ok;
  }
  if (tmuxProblem) process.stdout.write(`tmux: ${tmuxProblem}\n`);
  process.stdout.write(formatList(sessions));
  const saved = sessions.filter((s) => s.state === 'saved').length;
  process.stdout.write(
    saved
      ? `\n${saved} session(s) only in a checkpoint: \`tsession restore\` brings them back; \`tsession --help\` for more.\n`
      : '\n`tsession save` checkpoints these sessions; `tsession --help` for more.\n',
  );
  return EXIT.ok;
}
