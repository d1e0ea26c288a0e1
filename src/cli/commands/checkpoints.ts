/** `tsession checkpoints [SESSION] [--verify]`: list a server's checkpoints. */
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { checkpointFailure } from './shared.js';
import { age, table } from './format-table.js';

export async function run(ctx: Context, v: Record<string, unknown>, args: string[]): Promise<number> {
  const store = await ctx.store();
  const listed = await store.list();
  if (!listed.ok) throw checkpointFailure(listed.error);
  const session = args[0];
  let entries = listed.value.filter((e) => !session || e.sessions.includes(session));
  if (v.verify === true) {
    // The index is a cache: --verify reads every file again, fully.
    entries = await Promise.all(
      entries.map(async (e) => {
        const r = await store.read(e.id);
        return r.ok ? { ...e, valid: true, error: null } : { ...e, valid: false, error: r.error.reason };
      }),
    );
  }
  if (ctx.opts.json) {
    process.stdout.write(
      `${JSON.stringify(entries.map((e) => ({ id: e.id, createdAt: e.createdAt, sessions: e.sessions, panes: e.panes, bytes: e.bytes, valid: e.valid, error: e.error, path: e.path })))}\n`,
    );
  } else if (entries.length === 0) {
    process.stdout.write(`no checkpoints${session ? ` of ${session}` : ''} in ${ctx.storeDir}\n`);
  } else {
    const now = Date.now();
    process.stdout.write(
      table(
        ['ID', 'AGE', 'SESSIONS', 'PANES', 'SIZE', 'VALID'],
        entries.map((e) => [
          e.id,
          age(now - Date.parse(e.createdAt)),
          e.sessions.join(',') || '-',
          String(e.panes),
          `${Math.ceil(e.bytes / 1024)}K`,
          e.valid ? 'yes' : `NO: ${e.error ?? 'invalid'}`,
        ]),
      ),
    );
  }
  return v.verify === true && entries.some((e) => !e.valid) ? EXIT.noCheckpoint : EXIT.ok;
}
