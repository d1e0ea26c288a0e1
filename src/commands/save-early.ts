/**
 * The first step of `tsession save`, started before the rest of the command
 * loads: asking tmux for the layout. tmux needs ~35 ms to answer for 400
 * panes; the context, the store and the config (crypto, fs/promises, the
 * checkpoint modules) load in that time instead of before it.
 */
import { readLayout } from '../../sessions/layout-read.js';
import type { LiveServer } from '../../sessions/layout.js';
import { resolveServer, type ServerSpec } from '../../sessions/server.js';
import type { GlobalOptions } from '../context.js';

let started: { server: ServerSpec; layout: Promise<LiveServer> } | undefined;

/** Start the layout read for the server `opts` selects (the same one createContext resolves). */
export function startLayoutRead(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): void {
  const server = resolveServer(opts, env, process.getuid?.() ?? 0);
  const layout = readLayout(server, { env });
  // Awaited by the save; this only keeps an early failure from being reported as unhandled.
  layout.catch(() => {});
  started = { server, layout };
}

/** The layout read started for `server`, if any (taken once). */
export function takeLayoutRead(server: ServerSpec): Promise<LiveServer> | undefined {
  const s = started;
  started = undefined;
  return s && s.server.socketPath === server.socketPath ? s.layout : undefined;
}
