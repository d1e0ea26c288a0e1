/**
 * `tsession pty-host`: the PTY host in the foreground (src/pty-host/). new,
 * attach and the interface start it on demand, detached; `--print-unit`
 * prints a systemd user unit instead. Every event as a JSON line on stderr,
 * and those that concern sessions as entries of the PTY store's journal
 * (`tsession log`); SIGTERM/SIGINT write a final checkpoint and exit 0, and
 * leave the keeper and its shells running. Run in a terminal, it starts
 * even when the crash-loop breaker is open (a person is watching).
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { ptyHostLogFile, ptyHostStartsFile, ptyKeeperEntry, ptyStoreDir, selfBinPath } from '../../../checkpoints/paths.js';
import { errorMessage } from '../../../checkpoints/result.js';
import { createCheckpointStore } from '../../../checkpoints/store.js';
import { PROC_IDENTITY } from '../../../sessions/proc/liveness.js';
import { findExecutable, nearestExistingDir } from '../../../sessions/restore/shell-resolve.js';
import { userUnit } from '../../daemon/systemd-unit.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { Journal } from '../../ops/journal.js';
import { startHost } from '../../pty-host/host-process.js';
import type { HostEvent } from '../../pty-host/host-events.js';
import { hostJournalEntry } from '../../pty-host/host-journal.js';
import { refusalMessage } from '../../pty-host/start-breaker.js';
import { UserError } from '../../user-error.js';
import type { ValuesOf } from './options.js';
import { refuseArguments } from './shared.js';
import { shellScriptPath } from './shell-integration.js';

/** The systemd user unit of the host. KillMode=process: stopping the host must not end the keeper and its shells. */
export function ptyHostUnit(argv: readonly string[], env: Readonly<Record<string, string>>): string {
  return userUnit({ description: 'tsession PTY host', service: ['Restart=on-failure', 'KillMode=process'] }, argv, env);
}

export async function run(ctx: Context, v: ValuesOf<'pty-host'>, positionals: string[]): Promise<number> {
  refuseArguments('pty-host', positionals);
  const bin = selfBinPath(process.argv[1]);
  if (v['print-unit'] === true) {
    const env: Record<string, string> = {};
    for (const k of ['PATH', 'SHELL', 'XDG_RUNTIME_DIR', 'LANG'] as const) if (ctx.env[k]) env[k] = ctx.env[k]!;
    process.stdout.write(ptyHostUnit([process.execPath, bin, '--state-dir', ctx.paths.stateDir, 'pty-host'], env));
    return EXIT.ok;
  }
  const config = await ctx.config();
  const storeDir = ptyStoreDir(ctx.paths.stateDir);
  const store = createCheckpointStore({ dir: storeDir, stateDir: ctx.paths.stateDir, identity: PROC_IDENTITY });
  await store.prepare();
  const journal = new Journal(storeDir);
  const log = (e: HostEvent) => {
    process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), ...e })}\n`);
    const entry = hostJournalEntry(e);
    if (entry) void journal.append(entry).catch(() => {});
  };
  const env = Object.fromEntries(Object.entries(ctx.env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  // Hosted shells are not children of whatever terminal started the host.
  delete env.TMUX;
  delete env.TMUX_PANE;
  const started = await startHost({
    runtimeDir: ctx.paths.runtimeDir,
    stateDir: ctx.paths.stateDir,
    store,
    keeperCommand: [process.execPath, ptyKeeperEntry(bin)],
    keeperLog: join(storeDir, 'keeper.log'),
    env,
    passwdShell: passwdShell(),
    home: ctx.paths.home,
    scripts: config.pty.shellIntegration ? { bash: shellScriptPath('bash'), zsh: shellScriptPath('zsh'), fish: shellScriptPath('fish') } : null,
    rerunRules: config.rerun.allowlist,
    scrollback: config.pty.scrollback,
    probes: { findExecutable: (n) => findExecutable(n, ctx.env.PATH), nearestExistingDir },
    journal: log,
    startsFile: ptyHostStartsFile(ctx.paths.stateDir),
    byHand: process.stderr.isTTY === true,
  });
  if (started.kind === 'already-running') {
    // Started on demand by two commands at once: the other one serves.
    log({ event: 'already-running', pid: started.pid });
    return EXIT.ok;
  }
  if (started.kind === 'failed' || started.kind === 'breaker-open') {
    await journal.flushed();
    // Whatever a failed start left open (a keeper connection) must not keep this process.
    setTimeout(() => process.exit(EXIT.failed), 1_000).unref();
    const message = started.kind === 'failed' ? started.message : refusalMessage(started.verdict, Date.now(), ptyHostLogFile(ctx.paths.stateDir));
    throw new UserError(message, EXIT.failed);
  }
  const running = started;
  let crashing = false;
  process.on('uncaughtException', (e) => {
    if (crashing) return;
    crashing = true;
    // Node's own report first, then the crash counted and journaled (the breaker reads it), then out.
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    // A disk that hangs must not keep a broken host alive.
    setTimeout(() => process.exit(EXIT.internal), 2_000).unref();
    void running
      .crashed(errorMessage(e))
      .then(() => journal.flushed())
      .finally(() => process.exit(EXIT.internal));
  });
  const stop = (signal: string) => void started.stop(signal);
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {});
  const code = await started.stopped;
  await journal.flushed();
  // Stopped: whatever is still open (a stop that timed out) must not keep the process up.
  setTimeout(() => process.exit(code), 1_000).unref();
  return code;
}

function passwdShell(): string | undefined {
  try {
    return userInfo().shell ?? undefined;
  } catch {
    return undefined;
  }
}
