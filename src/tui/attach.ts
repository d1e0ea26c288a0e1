/**
 * Hands the terminal to tmux: `tmux attach -t =SESSION` with stdio inherited,
 * or `switch-client` when this process already runs inside a client of the
 * same server. The process itself is run by sessions/tmux.ts
 * (runTmuxOnTerminal), like every tmux call.
 */
import type { ServerSpec } from '../../sessions/tmux/server.js';
import { serverArgv, tmuxEnv } from '../../sessions/tmux/argv.js';
import { runTmuxOnTerminal } from '../../sessions/tmux/client.js';

/** How the session is reached. */
export type AttachMode = 'attach' | 'switch-client';

/** switch-client when $TMUX names this same server, else a (possibly nested) attach. */
export function attachMode(server: ServerSpec, env: NodeJS.ProcessEnv): AttachMode {
  const inside = env.TMUX ? env.TMUX.split(',').slice(0, -2).join(',') : '';
  return inside && inside === server.socketPath ? 'switch-client' : 'attach';
}

/** The argv and environment for reaching `session`. */
export function attachCommand(server: ServerSpec, session: string, env: NodeJS.ProcessEnv): { argv: string[]; env: NodeJS.ProcessEnv; mode: AttachMode } {
  const mode = attachMode(server, env);
  // "=name" matches the name exactly (no prefix or pattern matching).
  const target = `=${session}`;
  return mode === 'switch-client'
    ? { argv: [...serverArgv(server), 'switch-client', '-t', target], env, mode }
    : // Inside another server's client, $TMUX would make tmux refuse to nest.
      { argv: [...serverArgv(server), 'attach-session', '-t', target], env: tmuxEnv(env), mode };
}

/** Run it with the terminal; returns tmux's exit status and its first stderr line. */
export function attachSession(server: ServerSpec, session: string, env: NodeJS.ProcessEnv): { status: number | null; error: string | null; mode: AttachMode } {
  const cmd = attachCommand(server, session, env);
  // stderr is kept to report a failure on the status line. attach needs the
  // terminal on stdin and stdout; switch-client finds its client from
  // $TMUX_PANE and must not touch the terminal the interface draws on.
  const stdio: ('inherit' | 'ignore' | 'pipe')[] = cmd.mode === 'attach' ? ['inherit', 'inherit', 'pipe'] : ['ignore', 'ignore', 'pipe'];
  const r = runTmuxOnTerminal(cmd.argv, cmd.env, stdio, cmd.mode === 'attach' ? undefined : 5_000);
  if (r.error) return { status: null, error: r.error, mode: cmd.mode };
  const said = r.stderr ? r.stderr.trim().split('\n')[0] ?? null : null;
  return { status: r.status, error: r.status === 0 ? null : said || `tmux exited with ${r.status}`, mode: cmd.mode };
}
