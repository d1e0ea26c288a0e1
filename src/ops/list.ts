/**
 * List: the live sessions of the server, and those only a checkpoint
 * remembers (with why each left), each with its health by the interface's
 * rules (one probe round: frozen, changed since its checkpoint, healthy);
 * whether a person is attached is its own field.
 */
import { paneCount } from '../../checkpoints/counts.js';
import type { Departure } from '../../checkpoints/departures.js';
import type { SessionRecord } from '../../checkpoints/schema.js';
import type { Health, SavedSession } from '../../sessions/health/classify.js';
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
  /**
   * Its health, as the interface's HEALTH column says it: a running one is
   * frozen, changed (differs from its newest checkpoint as the diff shows
   * it) or healthy; one not running is crashed or closed; unknown when the
   * server could not be asked.
   */
  readonly health: ListedHealth;
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

/** A listed session's health: the verdicts of sessions/health/classify.ts, and unknown. */
export type ListedHealth = Health | 'unknown';

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
  // Live sessions still list; what the checkpoints would add is said missing, never silently.
  if (!listed.ok) ctx.warn(`saved sessions not shown: ${listed.error.message}`);
  const entries = listed.ok ? listed.value.filter((e) => e.valid && e.meaningful) : [];
  const remembered = rememberedSessions(entries, departures);
  const newestFor = (name: string) => {
    const e = entries.find((x) => x.sessions.includes(name));
    return e ? { id: e.id, createdAt: e.createdAt } : null;
  };
  const seenLive = new Set(live?.sessions.map((s) => s.name));
  const down = [...remembered].filter(([name]) => !seenLive.has(name));
  // Each checkpoint read once, however many of its sessions it holds: down ones show their windows, live ones are compared with it.
  const wanted = [...down.map(([, r]) => r.entry.id), ...(live?.sessions ?? []).flatMap((s) => newestFor(s.name)?.id ?? [])];
  const bodies = new Map(
    await Promise.all(
      [...new Set(wanted)].map(async (id) => {
        const r = await store.read(id);
        return [id, r.ok ? r.value.body : null] as const;
      }),
    ),
  );
  const recordOf = (id: string | undefined, name: string) => (id === undefined ? undefined : bodies.get(id)?.sessions.find((x) => x.name === name));
  const health = live?.sessions.length ? await liveHealth(ctx, (name) => {
    const c = newestFor(name);
    return c ? { checkpointId: c.id, createdAt: c.createdAt, record: recordOf(c.id, name) ?? null } : null;
  }) : new Map<string, Health>();
  const out: ListedSession[] = [];
  for (const s of live?.sessions ?? []) {
    out.push({
      name: s.name,
      state: 'live',
      // A session that appeared after the probe's round: nothing says otherwise.
      health: health.get(s.name) ?? 'healthy',
      windows: s.windows.length,
      panes: paneCount(s),
      attached: people ? (people.get(s.name) ?? 0) > 0 : s.attached > 0,
      checkpoint: newestFor(s.name),
      departed: null,
      saved: null,
    });
  }
  for (const [name, { entry: e, departed }] of down) {
    const state = tmuxProblem ? 'unknown' : departed && departed.why !== 'crashed' ? 'closed' : 'crashed';
    const record = recordOf(e.id, name);
    out.push({
      name,
      state,
      health: state,
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

/**
 * The health of each running session by the interface's rules: one probe
 * round classified (frozen, changed when panes vanished), and changed too
 * when it differs from its newest checkpoint as the diff shows it
 * (ops/timeline.ts liveChanges). `saved` gives a session's newest checkpoint.
 */
async function liveHealth(ctx: Context, saved: (name: string) => SavedSession | null): Promise<Map<string, Health>> {
  const { classify } = await import('../../sessions/health/classify.js');
  const { createProber } = await import('../../sessions/health/probes.js');
  const { liveChanges } = await import('./timeline.js');
  const obs = await createProber(ctx.server, { env: ctx.env }).round();
  const names = obs.live?.sessions.map((s) => s.name) ?? [];
  const savedByName = new Map(names.flatMap((n) => {
    const s = saved(n);
    return s ? [[n, s] as const] : [];
  }));
  const out = new Map<string, Health>();
  for (const v of classify(obs, savedByName).sessions) {
    if (!v.live) continue;
    const record = v.saved?.record;
    const changed = v.health === 'healthy' && record && v.liveSession && liveChanges(record, v.liveSession, obs.panes.filter((p) => p.session === v.session), ctx.env.HOME ?? null).length > 0;
    out.set(v.session, changed ? 'changed' : v.health);
  }
  return out;
}
