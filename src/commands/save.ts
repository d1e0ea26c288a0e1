/**
 * `tsession save [SESSION…]`: snapshot the server, store pane contents as
 * blobs, write one checkpoint atomically, apply retention. Loads no UI code.
 */
import type { ContentsRef, SessionRecord } from '../../checkpoints/schema.js';
import { takeSnapshot } from '../../sessions/snapshot.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { checkpointFailure } from './shared.js';
import { UserError } from '../user-error.js';
import { hostname } from 'node:os';

/** tsession's version, recorded in each checkpoint. */
export const TSESSION_VERSION = '0.1.0';

export async function run(ctx: Context, v: Record<string, unknown>, names: string[]): Promise<number> {
  const [config, store] = await Promise.all([ctx.config(), ctx.store()]);
  const snap = await takeSnapshot(ctx.server, { sessions: names, contentsLines: config.contents.lines, env: ctx.env });
  const missing = names.filter((n) => !snap.sessions.some((s) => s.name === n));
  if (missing.length) {
    throw new UserError(`No session named ${missing.map((m) => JSON.stringify(m)).join(', ')} on tmux server ${ctx.server.label}`, EXIT.usage);
  }
  const refs = new Map<string, ContentsRef>();
  await Promise.all(
    [...snap.contents].map(async ([paneId, blob]) => {
      const put = await store.putBlob(blob);
      if (!put.ok) throw checkpointFailure(put.error);
      const lines = blob.normal ? blob.normal.split('\n').length : 0;
      refs.set(paneId, { blob: put.value.sha256, lines, alternateScreen: blob.alternate !== null });
    }),
  );
  const sessions: SessionRecord[] = snap.sessions.map((s) => ({
    ...s,
    windows: s.windows.map((w) => ({ ...w, panes: w.panes.map((p) => ({ ...p, contents: refs.get(p.id) ?? null })) })),
  }));
  const outcome = await store.write(
    {
      host: hostname(),
      tmuxVersion: snap.live.version,
      tsessionVersion: TSESSION_VERSION,
      server: { socketPath: ctx.server.socketPath, label: ctx.server.label },
      sessions,
    },
    { force: v.force === true },
  );
  if (!outcome.ok) throw checkpointFailure(outcome.error);
  const res = outcome.value;
  if (res.kind === 'skipped') {
    if (ctx.opts.json) process.stdout.write(`${JSON.stringify({ saved: false, reason: res.reason })}\n`);
    else process.stderr.write(`tsession: nothing saved: ${res.reason} (existing checkpoints kept; --force to save anyway)\n`);
    return EXIT.ok;
  }
  for (const w of res.warnings) ctx.warn(w);
  const pruned = await store.prune(config.retention);
  if (!pruned.ok) ctx.warn(pruned.error.message);
  const panes = sessions.reduce((n, s) => n + s.windows.reduce((m, w) => m + w.panes.length, 0), 0);
  if (ctx.opts.json) {
    process.stdout.write(
      `${JSON.stringify({ saved: true, id: res.id, path: res.path, bytes: res.bytes, sessions: sessions.length, panes, timings: snap.timings })}\n`,
    );
  } else {
    process.stdout.write(`${res.id}\n`);
  }
  return EXIT.ok;
}
