/**
 * Which tmux server to talk to, chosen exactly like tmux chooses:
 * `-S path` > `-L name` > `$TMUX` > the default socket. Pure: takes the
 * environment and uid as parameters.
 */

/** A resolved tmux server: its socket path and how it was chosen. */
export interface ServerSpec {
  /** Absolute socket path; always passed to tmux as `-S`. */
  readonly socketPath: string;
  /** Human label, as tmux's options spell it: `-L work`, `-S /path`, `$TMUX`, `-L default` (the default socket). */
  readonly label: string;
  /** Config file for a server tsession has to start (`-f`), if given. */
  readonly configFile?: string;
}

/** Options a user can give to pick a server. */
export interface ServerOptions {
  readonly socketName?: string;
  readonly socketPath?: string;
  readonly configFile?: string;
}

/** Resolve the server like tmux does (tmux.c: -S, then -L, then $TMUX, then default). */
export function resolveServer(
  opts: ServerOptions,
  env: Readonly<Record<string, string | undefined>>,
  uid: number,
): ServerSpec {
  const extra = opts.configFile ? { configFile: opts.configFile } : {};
  if (opts.socketPath) return { socketPath: opts.socketPath, label: `-S ${opts.socketPath}`, ...extra };
  const dir = `${(env.TMUX_TMPDIR || '/tmp').replace(/\/+$/, '')}/tmux-${uid}`;
  if (opts.socketName) {
    return { socketPath: `${dir}/${opts.socketName}`, label: `-L ${opts.socketName}`, ...extra };
  }
  const tmuxVar = env.TMUX;
  if (tmuxVar) {
    // $TMUX is "socket,pid,session"; the socket path itself may hold commas,
    // so cut the last two fields rather than the first comma.
    const parts = tmuxVar.split(',');
    const socketPath = parts.length >= 3 ? parts.slice(0, -2).join(',') : (parts[0] ?? '');
    if (socketPath) return { socketPath, label: '$TMUX', ...extra };
  }
  return { socketPath: `${dir}/default`, label: '-L default', ...extra };
}
