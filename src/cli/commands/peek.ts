/** `tsession peek NAME [--ansi]`: print a PTY session's screen (text, or with its escape sequences). */
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { ptyAccessOf } from '../../ops/pty-client.js';
import { peekPtySession } from '../../ops/pty-sessions.js';
import type { ValuesOf } from './options.js';
import { oneName } from './pty-shared.js';

export async function run(ctx: Context, v: ValuesOf<'peek'>, positionals: string[]): Promise<number> {
  const name = oneName('peek', positionals);
  const text = await peekPtySession(ptyAccessOf(ctx), name, v.ansi === true);
  if (ctx.opts.json) process.stdout.write(`${JSON.stringify({ name, screen: text })}\n`);
  // Plain text has had its control bytes stripped by the mirror's text view; --ansi is asked for.
  else process.stdout.write(v.ansi === true ? `${text}\x1b[0m\n` : text);
  return EXIT.ok;
}
