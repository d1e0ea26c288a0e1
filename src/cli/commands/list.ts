/** `tsession list`: live sessions, and those only a checkpoint remembers (src/ops/list.ts), as a table or JSON. */
import { age, visible } from '../../../checkpoints/words.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { listSessions, type ListedSession, type SessionList } from '../../ops/list.js';
import { table } from './format-table.js';

/** The list as text. */
export function formatList(sessions: readonly ListedSession[], now = Date.now()): string {
  if (sessions.length === 0) return 'no sessions, live or saved\n';
  return table(
    ['SESSION', 'STATE', 'WINDOWS', 'PANES', 'ATTACHED', 'CHECKPOINT'],
    sessions.map((s) => [
      visible(s.name),
      s.state === 'live' ? 'live' : 'saved only',
      s.windows === null ? '-' : String(s.windows),
      s.panes === null ? '-' : String(s.panes),
      s.attached ? 'yes' : 'no',
      s.checkpoint ? `${age(now - Date.parse(s.checkpoint.createdAt))} ago` : 'never',
    ]),
  );
}

/** Print the list (a tmux failure other than "no server running" is a warning first). */
export function printList(ctx: Context, list: SessionList): number {
  if (list.tmuxProblem) ctx.warn(list.tmuxProblem.message);
  if (ctx.opts.json) process.stdout.write(`${JSON.stringify({ server: ctx.server, sessions: list.sessions })}\n`);
  else process.stdout.write(formatList(list.sessions));
  return EXIT.ok;
}

export async function run(ctx: Context): Promise<number> {
  return printList(ctx, await listSessions(ctx));
}
