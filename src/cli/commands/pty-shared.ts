/** What the PTY commands share: one session name argument, the detach key from the config, attach's last line. */
import { visible } from '../../../checkpoints/words.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { attachPtySession, parseDetachKey, type AttachEnd } from '../../ops/pty-attach.js';
import { ptyAccessOf } from '../../ops/pty-client.js';
import { UserError } from '../../user-error.js';

/** The one session name a command takes. */
export function oneName(command: string, positionals: readonly string[]): string {
  if (positionals.length !== 1) {
    throw new UserError(`Expected one session name, got ${positionals.length}; usage: tsession ${command} NAME`, EXIT.usage);
  }
  return positionals[0]!;
}

/** Attach this process's terminal to `name`; prints how it ended and returns the exit code. */
export async function attachHere(ctx: Context, name: string, readOnly: boolean): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UserError(`attach needs a terminal (stdin and stdout); tsession peek ${name} prints the screen`, EXIT.usage);
  }
  const config = await ctx.config();
  const detachKey = parseDetachKey(config.pty.detachKey) ?? undefined;
  const end = await attachPtySession(ptyAccessOf(ctx), name, { input: process.stdin, output: process.stdout }, { readOnly, ...(detachKey !== undefined ? { detachKey } : {}) });
  return reportEnd(name, end);
}

function reportEnd(name: string, end: AttachEnd): number {
  switch (end.kind) {
    case 'detached':
      process.stdout.write(`\r\n[detached from ${visible(name)}; tsession attach ${visible(name)} to come back]\r\n`);
      return EXIT.ok;
    case 'exited':
      process.stdout.write(`\r\n[${visible(name)} ended: ${end.signal ? `signal ${end.signal}` : `exit ${end.exitCode}`}]\r\n`);
      return EXIT.ok;
    case 'host-lost':
      throw new UserError(end.message, EXIT.failed);
    case 'refused':
      throw end.error;
  }
}
