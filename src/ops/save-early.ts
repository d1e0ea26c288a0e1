/**
 * The first step of `tsession save`, started before the rest of the command
 * loads: asking tmux for the layout. tmux needs ~30 ms to answer for 400
 * panes; the command line, the context, the store and the config load in
 * that time instead of before it. The bin starts it before the command
 * line is even compiled (src/cli/early.ts) and hands it over with
 * adoptLayoutRead; the command line starts it itself when run another way.
 */
import { readLayout } from '../../sessions/tmux/layout-read.js';
import type { LiveServer } from '../../sessions/live/types.js';
import { resolveServer, type ServerSpec } from '../../sessions/tmux/server.js';
import type { GlobalOptions } from '../context.js';

/** A layout read under way, and the server it asks. */
export interface StartedLayoutRead {
  readonly server: ServerSpec;
  readonly layout: Promise<LiveServer>;
}

let started: StartedLayoutRead | undefined;

/** Start the layout read for the server `opts` selects (the same one createContext resolves). */
export function startLayoutRead(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): StartedLayoutRead {
  const server = resolveServer(opts, env, process.getuid?.() ?? 0);
  const layout = readLayout(server, { env });
  // Awaited by the save; this only keeps an early failure from being reported as unhandled.
  layout.catch(() => {});
  started = { server, layout };
  return started;
}

/** Take over a read another copy of this module started (the bin's, bundled apart from the command line). */
export function adoptLayoutRead(read: StartedLayoutRead): void {
  started = read;
}

/** The layout read started for `server`, if any (taken once). */
export function takeLayoutRead(server: ServerSpec): Promise<LiveServer> | undefined {
  const s = started;
  started = undefined;
  return s && s.server.socketPath === server.socketPath ? s.layout : undefined;
}
