/** List: the live sessions of the server, and those only a checkpoint remembers. */
import { paneCount } from '../../checkpoints/counts.js';
import { TmuxError } from '../../sessions/tmux/errors.js';
import { readClients } from '../../sessions/tmux/queries.js';
import { readLayoutOrEmpty } from '../../sessions/tmux/layout-read.js';
import type { Context } from '../context.js';

/** One row of the list. */
export interface ListedSession {
  readonly name: string;
  /**
   * live: running now; saved: only a checkpoint remembers it; unknown: the
   * server could not be asked (stopped, hung, tmux missing), so a saved
   * session may well be running — never call it "saved only" then.
   */
  readonly state: 'live' | 'saved' | 'unknown';
  readonly windows: number | null;
  readonly panes: number | null;
  readonly attached: boolean;
  /** Id and creation time of the newest checkpoint holding it. */
  readonly checkpoint: { id: string; createdAt: string } | null;
}

/** The list, and the tmux failure that kept live sessions out of it (a server that is not running is not one). */
export interface SessionList {
  readonly sessions: ListedSession[];
  readonly tmuxProblem: TmuxError | null;
}

/** Build the list from the live server and the checkpoint index. */
export async function listSessions(ctx: Context): Promise<SessionList> {
  let tmuxProblem: TmuxError | null = null;
  const live = await readLayoutOrEmpty(ctx.server, { env: ctx.env }).catch((e: unknown) => {
    if (!(e instanceof TmuxError)) throw e;
    if (e.kind !== 'no-server') tmuxProblem = e;
    return null;
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
      panes: paneCount(s),
      attached: people ? (people.get(s.name) ?? 0) > 0 : s.attached > 0,
      checkpoint: newestFor(s.name),
    });
  }
  const seen = new Set(out.map((s) => s.name));
  for (const e of entries) {
    for (const name of e.sessions) {
      if (seen.has(name)) continue;
      seen.add(name);
      out.push({ name, state: tmuxProblem ? 'unknown' : 'saved', windows: null, panes: null, attached: false, checkpoint: { id: e.id, createdAt: e.createdAt } });
    }
  }
  return { sessions: out, tmuxProblem };
}
