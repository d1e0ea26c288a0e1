/** List: the live sessions of the server, and those only a checkpoint remembers (with why each left). */
import { paneCount } from '../../checkpoints/counts.js';
import type { Departure } from '../../checkpoints/departures.js';
import { TmuxError } from '../../sessions/tmux/errors.js';
import { readClients } from '../../sessions/tmux/queries.js';
import { readLayoutOrEmpty } from '../../sessions/tmux/layout-read.js';
import type { Context } from '../context.js';
import { loadDepartures, rememberedSessions } from './departures.js';
import { ptyAccessOf } from './pty-client.js';
import { listPtySessions, type PtyListing } from './pty-sessions.js';

/** One row of the list. */
export interface ListedSession {
  readonly name: string;
  /**
   * live: running now. Not running, only a checkpoint remembers it:
   * crashed (no departure recorded, or the server crashed) or closed (it
   * left on purpose: closed, renamed, the server ended). unknown: the
   * server could not be asked (stopped, hung, tmux missing), so a saved
   * session may well be running.
   */
  readonly state: 'live' | 'crashed' | 'closed' | 'unknown';
  /** Why it left, when recorded (checkpoints/departures.ts). */
  readonly departed: Departure | null;
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
  /** tsession's own PTY sessions (src/ops/pty-sessions.ts); null when they could not be read. */
  readonly pty: { readonly hostRunning: boolean; readonly sessions: readonly PtyListing[] } | null;
}

/** Build the list from the live server and the checkpoint index. */
export async function listSessions(ctx: Context): Promise<SessionList> {
  // PTY sessions need no tmux: asked beside it, never after it.
  const ptyList = listPtySessions(ptyAccessOf(ctx)).catch(() => null);
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
  const [listed, { departures, problem }] = await Promise.all([store.list(), loadDepartures(ctx)]);
  if (problem) ctx.warn(problem);
  const entries = listed.ok ? listed.value.filter((e) => e.valid && e.meaningful) : [];
  const remembered = rememberedSessions(entries, departures);
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
      departed: null,
    });
  }
  const seen = new Set(out.map((s) => s.name));
  for (const [name, { entry: e, departed }] of remembered) {
    if (seen.has(name)) continue;
    const state = tmuxProblem ? 'unknown' : departed && departed.why !== 'crashed' ? 'closed' : 'crashed';
    out.push({ name, state, windows: null, panes: null, attached: false, checkpoint: { id: e.id, createdAt: e.createdAt }, departed });
  }
  return { sessions: out, tmuxProblem, pty: await ptyList };
}
