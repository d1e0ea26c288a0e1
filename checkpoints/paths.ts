/**
 * Where tsession keeps things: state, config and runtime dirs (XDG with
 * overrides), the per-server checkpoint dir, and private (0700/0600) modes.
 * Non-goals: reading process.env implicitly, writing files (see atomic-write).
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

import { errorMessage } from './result.js';
/** Permission bits for everything tsession creates: only the owner may look. */
export const PRIVATE_MODES = { dir: 0o700, file: 0o600 } as const;

/** Environment variables that decide paths (a subset of process.env). */
export interface PathEnv {
  readonly TSESSION_STATE_DIR?: string | undefined;
  readonly XDG_STATE_HOME?: string | undefined;
  readonly XDG_CONFIG_HOME?: string | undefined;
  readonly XDG_RUNTIME_DIR?: string | undefined;
  readonly XDG_DATA_HOME?: string | undefined;
  readonly HOME?: string | undefined;
}

/** Inputs for resolvePaths; everything explicit so tests never see the real env. */
export interface PathInputs {
  readonly env: PathEnv;
  /** `--state-dir` from the command line; wins over everything. */
  readonly stateDirOverride?: string | undefined;
  /** Used when $HOME is unset (default: os.homedir()). */
  readonly homeDir?: string;
  /** Used for the /tmp runtime fallback. */
  readonly uid: number;
  /** Base for relative overrides (process.cwd() at the call site). */
  readonly cwd: string;
}

/** The resolved directories and files. */
export interface TsessionPaths {
  /** The user's home: $HOME when absolute, else the passwd entry's. */
  readonly home: string;
  readonly stateDir: string;
  readonly configDir: string;
  readonly configFile: string;
  readonly runtimeDir: string;
}

/** Subfolder names inside a server dir. */
export const LAYOUT = {
  servers: 'servers',
  checkpoints: 'checkpoints',
  blobs: 'blobs',
  index: 'index.json',
  indexLock: 'index.lock',
  /** Why each session that is no longer running left (checkpoints/departures.ts). */
  departures: 'departures.json',
} as const;

// The XDG spec says relative values are invalid and must be ignored.
const xdg = (value: string | undefined): string | undefined =>
  value && isAbsolute(value) ? value : undefined;

/** Resolve state/config/runtime dirs: --state-dir > TSESSION_STATE_DIR > XDG > ~/.local/state. */
export function resolvePaths(inputs: PathInputs): TsessionPaths {
  const { env, cwd, uid } = inputs;
  const home = env.HOME && isAbsolute(env.HOME) ? env.HOME : (inputs.homeDir ?? defaultHome());
  // Explicit overrides are the user's own words: a relative one means "from here".
  const explicit = inputs.stateDirOverride || env.TSESSION_STATE_DIR || undefined;
  const stateDir = explicit
    ? resolve(cwd, explicit)
    : join(xdg(env.XDG_STATE_HOME) ?? join(home, '.local', 'state'), 'tsession');
  const configDir = join(xdg(env.XDG_CONFIG_HOME) ?? join(home, '.config'), 'tsession');
  const runtimeBase = xdg(env.XDG_RUNTIME_DIR);
  const runtimeDir = runtimeBase ? join(runtimeBase, 'tsession') : join('/tmp', `tsession-${uid}`);
  return { home, stateDir, configDir, configFile: join(configDir, 'config.json'), runtimeDir };
}

/** The user's home as the OS reports it, for callers that have no resolved paths (a store opened by a test). */
export function defaultHome(): string {
  return homedir();
}

/**
 * Where tmux-resurrect keeps its saves, in the order its scripts/helpers.sh
 * picks them: the server's `@resurrect-dir` option when set (with `~`,
 * `$HOME` and `$HOSTNAME` expanded as resurrect does), else
 * `~/.tmux/resurrect` (used when it exists), then
 * `$XDG_DATA_HOME/tmux/resurrect`.
 */
export function resurrectDirs(env: PathEnv, home: string, option = '', host = ''): string[] {
  const configured = option.replaceAll('$HOME', home).replaceAll('$HOSTNAME', host).replaceAll('~', home);
  return [
    ...(configured && isAbsolute(configured) ? [configured] : []),
    join(home, '.tmux', 'resurrect'),
    join(xdg(env.XDG_DATA_HOME) ?? join(home, '.local', 'share'), 'tmux', 'resurrect'),
  ];
}

/** Where systemd looks for a user's own units (`systemctl --user`). */
export function systemdUserDir(env: PathEnv, home: string): string {
  return join(xdg(env.XDG_CONFIG_HOME) ?? join(home, '.config'), 'systemd', 'user');
}

/** A directory where a shell's nonce file may be, and the /tmp root above it that must be private too. */
export interface NonceDir {
  readonly dir: string;
  /** The shared-/tmp root the shell scripts created themselves (absent under $XDG_RUNTIME_DIR). */
  readonly root?: string;
}

/**
 * Where the shell scripts (shell/tsession.*) write a shell's nonce, best
 * first: under $XDG_RUNTIME_DIR, then the /tmp fallback they use when that
 * variable is unset in the shell. The scripts spell the same paths.
 */
export function nonceDirs(env: PathEnv, uid: number): NonceDir[] {
  const root = join('/tmp', `tsession-${uid}`);
  const fallback: NonceDir = { dir: join(root, 'tsession', 'nonce'), root };
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime ? [{ dir: join(runtime, 'tsession', 'nonce') }, fallback] : [fallback];
}

/** A readable, collision-free directory name for a tmux server's socket path. */
export function serverSlug(socketPath: string): string {
  // The hash keeps two sockets with the same basename apart; the basename
  // keeps the directory recognisable to a person poking around.
  const hash = createHash('sha256').update(socketPath).digest('hex').slice(0, 12);
  const readable = basename(socketPath)
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 40);
  return `${readable || 'socket'}-${hash}`;
}

/** The checkpoint store dir of one tmux server: <stateDir>/servers/<slug>. */
export function serverDir(stateDir: string, socketPath: string): string {
  return join(stateDir, LAYOUT.servers, serverSlug(socketPath));
}

/** The lock file of a server's watch daemon, under tsession's runtime dir. */
export function watchLockFile(runtimeDir: string, socketPath: string): string {
  return join(runtimeDir, `watch-${serverSlug(socketPath)}.lock`);
}

/**
 * Longest Unix socket path in bytes: sun_path holds 108 with the closing NUL.
 * A longer $XDG_RUNTIME_DIR cannot hold our sockets; src/ipc says so.
 */
export const MAX_SOCKET_PATH_BYTES = 107;

/**
 * The socket of the PTY host, in the runtime dir: $XDG_RUNTIME_DIR/tsession/,
 * or /tmp/tsession-<uid>/ when that variable is unset (src/ipc checks either
 * is a 0700 directory of ours before listening or connecting).
 */
export function ptyHostSocketFile(runtimeDir: string): string {
  return join(runtimeDir, 'pty-host.sock');
}

/** The control socket of a tmux server's watch daemon, beside its lock in the runtime dir. */
export function watchSocketFile(runtimeDir: string, socketPath: string): string {
  return join(runtimeDir, `watch-${serverSlug(socketPath)}.sock`);
}

/** A filesystem failure with the path it happened at and a hint a person can act on. */
export class StateDirError extends Error {
  override readonly name = 'StateDirError';
  constructor(
    message: string,
    /** errno code (ENOSPC, EACCES, …) or 'UNKNOWN'. */
    readonly code: string,
    /** The file or directory the operation was about. */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The actionable message for an errno met while writing under `dir`. */
export function describeFsError(code: string, dir: string, detail: string): string {
  switch (code) {
    case 'ENOSPC':
      return `State dir ${dir} is full (ENOSPC): free space or pass --state-dir`;
    case 'EDQUOT':
      return `State dir ${dir} is over its disk quota (EDQUOT): free space or pass --state-dir`;
    case 'EACCES':
    case 'EPERM':
      return `State dir ${dir} is not writable (${code}): fix its permissions or pass --state-dir`;
    case 'EROFS':
      return `State dir ${dir} is on a read-only file system (EROFS): pass --state-dir with a writable directory`;
    case 'ENOENT':
      return `State dir ${dir} cannot be created: its parent refuses new directories (ENOENT, e.g. under /proc): pass --state-dir with a writable directory`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `State dir ${dir} cannot be created: part of its path is a file, not a directory (${code}): move that file or pass --state-dir`;
    default:
      return `Cannot write in state dir ${dir} (${code}): ${detail}`;
  }
}

/** Wrap any thrown fs error into a StateDirError with an actionable message. */
export function toStateDirError(error: unknown, dir: string, path: string): StateDirError {
  if (error instanceof StateDirError) return error;
  const e = error as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : 'UNKNOWN';
  const detail = errorMessage(error);
  return new StateDirError(describeFsError(code, dir, detail), code, path, { cause: error });
}

/**
 * Create `dir` (and parents) as 0700 and tighten it if it already exists with
 * group/other bits. Returns warnings for anything tightened. Throws StateDirError.
 */
export async function ensurePrivateDir(dir: string, hintDir = dir): Promise<string[]> {
  const warnings: string[] = [];
  try {
    await makeDirs(dir);
    const st = await stat(dir);
    if (!st.isDirectory()) {
      // What mkdir says of a file in the way (makeDirs takes EEXIST as "there").
      const err: NodeJS.ErrnoException = new Error(`${dir} is not a directory`);
      err.code = 'EEXIST';
      throw err;
    }
    // Checkpoints hold cwds, command lines and scrollback: private to the owner.
    if ((st.mode & 0o077) !== 0) {
      await chmod(dir, PRIVATE_MODES.dir);
      warnings.push(
        `Tightened permissions of ${dir} from ${(st.mode & 0o777).toString(8).padStart(4, '0')} to 0700`,
      );
    }
  } catch (error) {
    throw toStateDirError(error, hintDir, dir);
  }
  return warnings;
}

/**
 * `mkdir -p` in at most one upward walk and one downward walk over the path's
 * components. Not Node's `mkdir({ recursive: true })`: that retries forever
 * where a parent exists but refuses the child with ENOENT (`/proc/x` under
 * Node 20 spins at 100 % CPU and never settles).
 */
async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  let current = resolve(dir);
  // Each turn moves one level up, so the walk ends at the root at the latest.
  for (;;) {
    try {
      await mkdir(current, { mode: PRIVATE_MODES.dir });
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') break;
      const parent = dirname(current);
      if (code !== 'ENOENT' || parent === current) throw error;
      missing.push(current);
      current = parent;
    }
  }
  // Top-down, each once: an ENOENT now means the parent refused, and is final.
  for (const d of missing.reverse()) {
    try {
      await mkdir(d, { mode: PRIVATE_MODES.dir });
    } catch (error) {
      // Another process made it in between: fine; the stat in the caller checks it is a directory.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * The pseudo server path PTY sessions are kept under: their checkpoints sit
 * in their own server entry of the store (servers/<slug>), beside tmux servers.
 */
export const PTY_SERVER_PATH = 'tsession-pty' as const;

/** The checkpoint store dir of tsession's own PTY sessions. */
export function ptyStoreDir(stateDir: string): string {
  return serverDir(stateDir, PTY_SERVER_PATH);
}

/** The output logs (since each PTY session's last checkpoint) inside the PTY store dir. */
export function ptyLogDir(stateDir: string): string {
  return join(ptyStoreDir(stateDir), 'pty-logs');
}

/** The PTY host's start history (its crash-loop breaker) inside the PTY store dir. */
export function ptyHostStartsFile(stateDir: string): string {
  return join(ptyStoreDir(stateDir), 'host-starts.json');
}

/** The PTY host's stderr (JSON lines) when a command started it, inside the PTY store dir. */
export function ptyHostLogFile(stateDir: string): string {
  return join(ptyStoreDir(stateDir), 'host.log');
}

/** The keeper's socket (it holds the pty masters) in the runtime dir. */
export function ptyKeeperSocketFile(runtimeDir: string): string {
  return join(runtimeDir, 'pty-keeper.sock');
}

/** The lock the keeper holds while it runs (one keeper per user). */
export function ptyKeeperLockFile(runtimeDir: string): string {
  return join(runtimeDir, 'pty-keeper.lock');
}

/** The lock the PTY host holds while it runs (one host per user). */
export function ptyHostLockFile(runtimeDir: string): string {
  return join(runtimeDir, 'pty-host.lock');
}

/**
 * The bin this process runs (`argv1`: its process.argv[1]), symlinks resolved: `npm link` and global
 * installs start tsession through a link in another directory, and the
 * bundles started beside it (keeper, typist) live next to the real file.
 */
export function selfBinPath(argv1: string | undefined): string {
  const bin = resolve(argv1 ?? 'tsession');
  try {
    return realpathSync(bin);
  } catch {
    return bin;
  }
}

/** The keeper's entry, bundled beside the bin (scripts/bundle.mjs writes both to dist/). */
export function ptyKeeperEntry(binPath: string): string {
  return join(dirname(binPath), 'tsession-keeper.cjs');
}

/** The restore typist's bundle next to the bin (bundled alone by scripts/bundle.mjs: it starts fast). */
export function restoreTypistEntry(binPath: string): string {
  return join(dirname(binPath), 'tsession-typist.cjs');
}

/** A restore's typing handed to the typist: a one-shot file in the server's store (0600), removed once read. */
export function typingHandoffFile(storeDir: string, token: string): string {
  return join(storeDir, `typing-${token}.json`);
}

/** Where the typist's own stderr goes (its outcome goes to the journal). */
export function typistLogFile(storeDir: string): string {
  return join(storeDir, 'typist.log');
}
