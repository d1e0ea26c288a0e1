/** `tsession checkpoints [SESSION] [--verify]`: list a server's checkpoints. */
import { visible, age } from '../../../checkpoints/words.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { listCheckpoints } from '../../ops/checkpoints.js';
import { table } from './format-table.js';
import type { ValuesOf } from './options.js';

export async function run(ctx: Context, v: ValuesOf<'checkpoints'>, args: string[]): Promise<number> {
  const session = args[0];
  const verify = v.verify === true;
  const entries = await listCheckpoints(ctx, session, verify);
  if (ctx.opts.json) {
    process.stdout.write(
      `${JSON.stringify(entries.map((e) => ({ id: e.id, createdAt: e.createdAt, sessions: e.sessions, panes: e.panes, bytes: e.bytes, valid: e.valid, error: e.error, path: e.path })))}\n`,
    );
  } else if (entries.length === 0) {
    process.stdout.write(`no checkpoints${session ? ` of ${visible(session)}` : ''} in ${ctx.storeDir}\n`);
  } else {
    const now = Date.now();
    process.stdout.write(
      table(
        ['ID', 'AGE', 'SESSIONS', 'PANES', 'SIZE', 'VALID'],
        entries.map((e) => [
          e.id,
          age(now - Date.parse(e.createdAt)),
          visible(e.sessions.join(',')) || '-',
          String(e.panes),
          `${Math.ceil(e.bytes / 1024)}K`,
          e.valid ? 'yes' : `NO: ${e.error ?? 'invalid'}`,
        ]),
      ),
    );
  }
  return verify && entries.some((e) => !e.valid) ? EXIT.noCheckpoint : EXIT.ok;
}
