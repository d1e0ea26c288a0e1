/**
 * What every command needs, resolved once from global options and the
 * environment: the tmux server, XDG paths, the config and the checkpoint
 * store of that server. Heavy parts load lazily.
 */
import { resolvePaths, serverDir, type TsessionPaths } from '../checkpoints/paths.js';
import type { CheckpointStore } from '../checkpoints/store.js';
import { resolveServer, type ServerSpec } from '../sessions/tmux/server.js';
import type { Config } from './ops/config.js';

/** Options every command accepts. */
export interface GlobalOptions {
  readonly socketName?: string;
  readonly socketPath?: string;
  readonly configFile?: string;
  readonly stateDir?: string;
  readonly json: boolean;
  readonly debug: boolean;
}

/** The resolved environment of one CLI run. */
export interface Context {
  readonly opts: GlobalOptions;
  readonly env: NodeJS.ProcessEnv;
  readonly server: ServerSpec;
  readonly paths: TsessionPaths;
  /** Where this server's checkpoints live. */
  readonly storeDir: string;
  config(): Promise<Config>;
  store(): Promise<CheckpointStore>;
  /** Print a warning line on stderr (kept off stdout so --json stays clean). */
  warn(line: string): void;
}

/** Build the context; nothing is read or created until asked for. */
export function createContext(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Context {
  const server = resolveServer(opts, env, process.getuid?.() ?? 0);
  const paths = resolvePaths({
    env,
    stateDirOverride: opts.stateDir,
    uid: process.getuid?.() ?? 0,
    cwd: process.cwd(),
  });
  const storeDir = serverDir(paths.stateDir, server.socketPath);
  let config: Promise<Config> | undefined;
  let store: Promise<CheckpointStore> | undefined;
  return {
    opts,
    env,
    server,
    paths,
    storeDir,
    config: () =>
      (config ??= import('./ops/config.js').then((m) => m.loadConfig({ file: paths.configFile, homeDir: paths.home }))),
    store: () =>
      (store ??= Promise.all([import('../checkpoints/store.js'), import('../sessions/proc/liveness.js')]).then(([m, l]) =>
        m.createCheckpointStore({ dir: storeDir, stateDir: paths.stateDir, homeDir: paths.home, identity: l.PROC_IDENTITY }),
      )),
    warn: (line) => process.stderr.write(`tsession: warning: ${line}\n`),
  };
}
