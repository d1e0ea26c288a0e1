/** List: the live sessions of the server, and those only a checkpoint remembers (with why each left). */
import { paneCount } from '../../checkpoints/counts.js';
import type { Departure } from '../../checkpoints/departures.js';
import type { SessionRecord } from '../../checkpoints/schema.js';
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
  /**
   * A session that is not running: its windows and panes as that checkpoint
   * holds them (what a restore brings back, as the interface's tree shows
   * it); null for a live session, or when the checkpoint could not be read.
   */
  readonly saved: readonly SavedWindow[] | null;
}

/** A saved window, as a person recognises it. */
export interface SavedWindow {
  readonly index: number;
  readonly name: string;
  readonly active: boolean;
  readonly panes: readonly { readonly index: number; readonly cwd: string; readonly command: string | null; readonly active: boolean }[];
}

/** A saved session's windows and panes, as the list shows them (pane index = position, as `api:1.2` names it). */
export function savedWindows(s: SessionRecord): SavedWindow[] {
  return s.windows.map((w) => ({
    index: w.index,
    name: w.name,
    active: w.active,
    panes: w.panes.map((p, i) => ({
      index: i,
      cwd: p.cwd.path,
      command: p.foreground.kind === 'job' ? (p.foreground.argv?.join(' ') ?? p.foreground.command) : null,
      active: p.active,
    })),
  }));
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
      saved: null,
    });
  }
  const seen = new Set(out.map((s) => s.name));
  const down = [...remembered].filter(([name]) => !seen.has(name));
  // Each checkpoint read once, however many of its sessions are down.
  const bodies = new Map(
    await Promise.all(
      [...new Set(down.map(([, r]) => r.entry.id))].map(async (id) => {
        const r = await store.read(id);
        return [id, r.ok ? r.value.body : null] as const;
      }),
    ),
  );
  for (const [name, { entry: e, departed }] of down) {
    const state = tmuxProblem ? 'unknown' : departed && departed.why !== 'crashed' ? 'closed' : 'crashed';
    const record = bodies.get(e.id)?.sessions.find((x) => x.name === name);
    out.push({
      name,
      state,
      windows: record ? record.windows.length : null,
      panes: record ? paneCount(record) : null,
      attached: false,
      checkpoint: { id: e.id, createdAt: e.createdAt },
      departed,
      saved: record ? savedWindows(record) : null,
    });
  }
  return { sessions: out, tmuxProblem, pty: await ptyList };
}
