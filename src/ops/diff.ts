/**
 * Diff: what differs between the live sessions and a checkpoint, per
 * session. A server that is not running is not an error here: every saved
 * session is then "not running".
 */
import type { CheckpointBody, SessionRecord } from '../../checkpoints/schema.js';
import { compareSessions, type CompareOptions, type Difference } from '../../sessions/live/compare.js';
import { takeSnapshot } from '../../sessions/live/snapshot.js';
import { TmuxError } from '../../sessions/tmux/errors.js';
import type { Context } from '../context.js';

/** Per-session result of a diff. */
export interface SessionDiff {
  readonly session: string;
  readonly state: 'same' | 'differs' | 'not-running' | 'not-saved';
  readonly differences: readonly Difference[];
}

/** The live sessions as records (no contents), or null when no server runs. */
export async function liveSessions(ctx: Context, options: { readonly sessions?: readonly string[]; readonly timeoutMs?: number } = {}): Promise<SessionRecord[] | null> {
  try {
    const snap = await takeSnapshot(ctx.server, {
      contentsLines: 0,
      env: ctx.env,
      ...(options.sessions ? { sessions: options.sessions } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    return snap.sessions;
  } catch (e) {
    if (e instanceof TmuxError && e.kind === 'no-server') return null;
    throw e;
  }
}

/** Every session of `body` (or only `name`) against the live server, then the live ones it does not hold. */
export async function diffCheckpoint(ctx: Context, body: CheckpointBody, name?: string): Promise<SessionDiff[]> {
  const live = (await liveSessions(ctx)) ?? [];
  const out: SessionDiff[] = [];
  for (const saved of body.sessions) {
    if (name && saved.name !== name) continue;
    const l = live.find((s) => s.name === saved.name);
    if (!l) {
      out.push({ session: saved.name, state: 'not-running', differences: [] });
      continue;
    }
    const d = compareSessions(saved, l);
    out.push({ session: saved.name, state: d.length ? 'differs' : 'same', differences: d });
  }
  for (const l of live) {
    if ((!name || l.name === name) && !body.sessions.some((s) => s.name === l.name)) {
      out.push({ session: l.name, state: 'not-saved', differences: [] });
    }
  }
  return out;
}

/** One saved session against its live namesake: its differences, or null when it is not running. */
export async function diffSession(ctx: Context, saved: SessionRecord, options: { readonly timeoutMs?: number; readonly compare?: CompareOptions } = {}): Promise<Difference[] | null> {
  const live = (await liveSessions(ctx, { sessions: [saved.name], ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) }))?.find((s) => s.name === saved.name);
  return live ? compareSessions(saved, live, options.compare) : null;
}
