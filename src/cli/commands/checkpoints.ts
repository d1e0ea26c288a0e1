/** `tsession checkpoints [SESSION] [--verify]`: list a server's checkpoints, newest first, by time, age and cause. */
import { visible, age } from '../../../checkpoints/words.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { causesOf, listCheckpoints } from '../../ops/checkpoints.js';
import { table } from './format-table.js';
import type { ValuesOf } from './options.js';
import { atMost } from './shared.js';

/** A checkpoint's local creation time, to the second: `2026-11-24 09:15:30`. */
const localTime = (iso: string): string => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '-';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};

export async function run(ctx: Context, v: ValuesOf<'checkpoints'>, args: string[]): Promise<number> {
  atMost('checkpoints', args, 1, 'session name');
  const session = args[0];
  const verify = v.verify === true;
  const entries = await listCheckpoints(ctx, session, verify);
  const causes = await causesOf(ctx, entries);
  if (ctx.opts.json) {
    process.stdout.write(
      `${JSON.stringify(entries.map((e) => ({ id: e.id, createdAt: e.createdAt, cause: causes.get(e.id) ?? null, sessions: e.sessions, panes: e.panes, bytes: e.bytes, valid: e.valid, error: e.error, path: e.path })))}\n`,
    );
  } else if (entries.length === 0) {
    process.stdout.write(`no checkpoints${session ? ` of ${visible(session)}` : ''} in ${ctx.storeDir}\n`);
  } else {
    const now = Date.now();
    process.stdout.write(
      table(
        ['TIME', 'AGE', 'CAUSE', 'SESSIONS', 'PANES', 'SIZE', 'VALID', 'ID'],
        entries.map((e) => [
          localTime(e.createdAt),
          age(now - Date.parse(e.createdAt)),
          visible(causes.get(e.id) ?? '-'),
          visible(e.sessions.join(',')) || '-',
          String(e.panes),
          `${Math.ceil(e.bytes / 1024)}K`,
          e.valid ? 'yes' : `NO: ${visible(e.error ?? 'invalid')}`,
          e.id,
        ]),
      ),
    );
  }
  return verify && entries.some((e) => !e.valid) ? EXIT.noCheckpoint : EXIT.ok;
}
