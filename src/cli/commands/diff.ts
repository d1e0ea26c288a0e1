/** `tsession diff [SESSION] [--from ID]`: live sessions vs a checkpoint. */
import { compareSessions, type Difference } from '../../../sessions/live/compare.js';
import { takeSnapshot } from '../../../sessions/live/snapshot.js';
import { TmuxError } from '../../../sessions/tmux/errors.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { visible } from './format-table.js';
import { pickCheckpoint } from './shared.js';

/** Per-session result of a diff. */
export interface SessionDiff {
  readonly session: string;
  readonly state: 'same' | 'differs' | 'not-running' | 'not-saved';
  readonly differences: readonly Difference[];
}

export async function run(ctx: Context, v: Record<string, unknown>, args: string[]): Promise<number> {
  const name = args[0];
  const { checkpoint, fellBack } = await pickCheckpoint(
    ctx,
    typeof v.from === 'string' ? v.from : undefined,
    name ? (b) => b.sessions.some((s) => s.name === name) : undefined,
  );
  const snap = await takeSnapshot(ctx.server, { contentsLines: 0, env: ctx.env }).catch((e: unknown) => {
    if (e instanceof TmuxError && e.kind === 'no-server') return null;
    throw e;
  });
  const live = snap?.sessions ?? [];
  const out: SessionDiff[] = [];
  for (const saved of checkpoint.body.sessions) {
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
    if ((!name || l.name === name) && !checkpoint.body.sessions.some((s) => s.name === l.name)) {
      out.push({ session: l.name, state: 'not-saved', differences: [] });
    }
  }
  if (ctx.opts.json) {
    process.stdout.write(`${JSON.stringify({ checkpoint: checkpoint.body.id, sessions: out })}\n`);
  } else {
    const lines = [`comparing with checkpoint ${checkpoint.body.id}`];
    for (const s of out) {
      const label = visible(s.session);
      if (s.state === 'same') lines.push(`= ${label}: same as saved`);
      else if (s.state === 'not-running') lines.push(`- ${label}: not running (restore would bring it back)`);
      else if (s.state === 'not-saved') lines.push(`+ ${label}: running, not in this checkpoint`);
      else {
        lines.push(`~ ${label}:`);
        for (const d of s.differences) lines.push(`    ${d.kind} ${visible(d.where)}: saved ${visible(d.saved)} | live ${visible(d.live)}`);
      }
    }
    process.stdout.write(lines.join('\n') + '\n');
  }
  return fellBack ? EXIT.usedFallback : EXIT.ok;
}
