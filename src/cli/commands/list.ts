/** `tsession list`: live sessions, and those only a checkpoint remembers. */
import { readLayoutOrEmpty } from '../../../sessions/tmux/layout-read.js';
import { readClients } from '../../../sessions/tmux/queries.js';
import { TmuxError } from '../../../sessions/tmux/errors.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { age, table, visible } from './format-table.js';

/** One row of the list. */
export interface ListedSession {
  readonly name: string;
  readonly state: 'live' | 'saved';
  readonly windows: number | null;
  readonly panes: number | null;
  readonly attached: boolean;
  /** Id and creation time of the newest checkpoint holding it. */
  readonly checkpoint: { id: string; createdAt: string } | null;
}

/** Build the list from the live server and the checkpoint index. */
export async function listSessions(ctx: Context): Promise<{ sessions: ListedSession[]; tmuxProblem: string | null }> {
  let tmuxProblem: string | null = null;
  const live = await readLayoutOrEmpty(ctx.server, { env: ctx.env }).catch((e: unknown) => {
    if (e instanceof TmuxError) {
      tmuxProblem = e.message;
      return null;
    }
    throw e;
  });
  // session_attached counts control-mode clients too (a watch daemon's among them): count people's.
  const people = live?.sessions.length
    ? await readClients(ctx.server, { env: ctx.env }).catch(() => null)
    : null;
  const store = await ctx.store();
  const listed = await store.list();
  const entries = listed.ok ? listed.value.filter((e) => e.valid && e.meaningful) : [];
  const newestFor = (name: string) => {
    const e = entries.find((x) => x.sessions.includes(name));
    return e ? { id: e.id, createdAt: e.createdAt } : null;
  };
  const out: ListedSession[] = [];
  for (const s of live?.sessions ?? []) {
    out.push({
      name: s.name,
      state: 'live',
      windows: s.windows.length,
      panes: s.windows.reduce((n, w) => n + w.panes.length, 0),
      attached: people ? (people.get(s.name) ?? 0) > 0 : s.attached > 0,
      checkpoint: newestFor(s.name),
    });
  }
  const seen = new Set(out.map((s) => s.name));
  for (const e of entries) {
    for (const name of e.sessions) {
      if (seen.has(name)) continue;
      seen.add(name);
      out.push({ name, state: 'saved', windows: null, panes: null, attached: false, checkpoint: { id: e.id, createdAt: e.createdAt } });
    }
  }
  return { sessions: out, tmuxProblem };
}

/** Print the list as text. */
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

export async function run(ctx: Context): Promise<number> {
  const { sessions, tmuxProblem } = await listSessions(ctx);
  if (tmuxProblem && !(tmuxProblem as string).startsWith('No tmux server')) ctx.warn(tmuxProblem);
  if (ctx.opts.json) process.stdout.write(`${JSON.stringify({ server: ctx.server, sessions })}\n`);
  else process.stdout.write(formatList(sessions));
  return EXIT.ok;
}
