/** `tsession new NAME [--cwd DIR] [-d] [-- CMD ARGS…]`: create a PTY session, then attach unless -d. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { visible } from '../../../checkpoints/words.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { ptyAccessOf } from '../../ops/pty-client.js';
import { newPtySession } from '../../ops/pty-sessions.js';
import { UserError } from '../../user-error.js';
import type { ValuesOf } from './options.js';
import { attachHere } from './pty-shared.js';

export async function run(ctx: Context, v: ValuesOf<'new'>, positionals: string[]): Promise<number> {
  const [name, ...command] = positionals;
  if (name === undefined) throw new UserError('Expected a session name; usage: tsession new NAME [--cwd DIR] [-d] [-- CMD ARGS…]', EXIT.usage);
  const cwd = resolve(typeof v.cwd === 'string' ? v.cwd : process.cwd());
  let isDir = false;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new UserError(`--cwd: expected a directory, got ${JSON.stringify(cwd)}`, EXIT.usage);
  const onTerminal = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const created = await newPtySession(ptyAccessOf(ctx), {
    name,
    argv: command.length > 0 ? command : null,
    cwd,
    cols: process.stdout.columns ?? 80,
    rows: process.stdout.rows ?? 24,
  });
  if (v.detach === true || !onTerminal) {
    if (ctx.opts.json) process.stdout.write(`${JSON.stringify({ name, pid: created.pid, id: created.id })}\n`);
    else process.stdout.write(`created ${visible(name)} (pid ${created.pid}); tsession attach ${visible(name)}\n`);
    return EXIT.ok;
  }
  return attachHere(ctx, name, false);
}
