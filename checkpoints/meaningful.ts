/**
 * The meaningful-save guard: a checkpoint of an empty server, or of nothing
 * but tmux's default start-up session(s), must never replace or push out a
 * checkpoint worth restoring. Pure. Non-goals: deciding what to capture.
 *
 * Rule: not meaningful when there are no sessions, or when every session
 * looks like the one `tmux` creates on start-up — a numeric name ("0", "1",
 * …), one window of one pane, a bare shell (no foreground job), whatever its
 * cwd: tmux starts it in the directory it was started from, which after a
 * crash is wherever the person happened to be, not necessarily $HOME. The
 * store refuses to write such a body unless forced, newestGood skips it
 * unless asked, and retention never counts it toward "keep last N".
 */
import type { CheckpointBody, SessionRecord } from './schema.js';

/** The guard's verdict, with a reason a person can read when it says no. */
export type Meaningfulness = { readonly meaningful: true } | { readonly meaningful: false; readonly reason: string };

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
/** A path as a person reads it: under the home dir as `~/…`. */
const tilde = (path: string, home: string): string => {
  const p = trimSlash(path);
  const h = trimSlash(home);
  return p === h ? '~' : p.startsWith(`${h}/`) ? `~${p.slice(h.length)}` : p;
};

/** True for a session that looks like tmux's untouched default start-up session, wherever it was started. */
export function isDefaultStartupSession(session: SessionRecord): boolean {
  if (!/^\d+$/.test(session.name)) return false;
  if (session.windows.length !== 1) return false;
  const panes = session.windows[0]?.panes ?? [];
  if (panes.length !== 1) return false;
  return panes[0]?.foreground.kind === 'shell';
}

/** Decide whether a body is worth keeping over older checkpoints. */
export function assessMeaningful(body: Pick<CheckpointBody, 'sessions' | 'ptySessions'>, homeDir: string): Meaningfulness {
  // A PTY session was made on purpose (`tsession new`): always worth keeping.
  if ((body.ptySessions?.length ?? 0) > 0) return { meaningful: true };
  if (body.sessions.length === 0) return { meaningful: false, reason: 'the server has no sessions' };
  if (body.sessions.every((s) => isDefaultStartupSession(s))) {
    const names = body.sessions.map((s) => JSON.stringify(s.name)).join(', ');
    const where = [...new Set(body.sessions.map((s) => tilde(s.windows[0]?.panes[0]?.cwd.path ?? '?', homeDir)))].join(', ');
    const one = body.sessions.length === 1;
    return {
      meaningful: false,
      reason: `only tmux's default start-up ${one ? 'session' : 'sessions'} ${names} (a bare shell in ${where}) ${one ? 'is' : 'are'} running`,
    };
  }
  return { meaningful: true };
}
