/** `tsession kill NAME [--yes]`: end a PTY session; asks on a terminal, needs --yes otherwise. */
import { createInterface } from 'node:readline/promises';
import { visible } from '../../../checkpoints/words.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { ptyAccessOf } from '../../ops/pty-client.js';
import { killPtySession } from '../../ops/pty-sessions.js';
import { UserError } from '../../user-error.js';
import type { ValuesOf } from './options.js';
import { oneName } from './pty-shared.js';

export async function run(ctx: Context, v: ValuesOf<'kill'>, positionals: string[]): Promise<number> {
  const name = oneName('kill', positionals);
  if (v.yes !== true) {
    if (!process.stdin.isTTY) throw new UserError(`kill ends ${visible(name)} and its programs: pass --yes when not on a terminal`, EXIT.usage);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`End PTY session ${visible(name)} and every program in it? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stderr.write('not killed\n');
      return EXIT.failed;
    }
  }
  await killPtySession(ptyAccessOf(ctx), name);
  if (ctx.opts.json) process.stdout.write(`${JSON.stringify({ killed: name })}\n`);
  else process.stdout.write(`killed ${visible(name)}\n`);
  return EXIT.ok;
}
