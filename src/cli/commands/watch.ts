/**
 * `tsession --watch` (or `tsession watch`): the headless daemon of one tmux
 * server (src/daemon/daemon.ts), holding the server's watch lock, writing the
 * journal, logging each entry on stderr, and stopping on SIGTERM, SIGINT or
 * SIGHUP after a final checkpoint.
 */
import { dirname, resolve } from 'node:path';
import { watchUnit } from '../../daemon/systemd-unit.js';
import { ensurePrivateDir } from '../../../checkpoints/paths.js';
import { errorMessage } from '../../../checkpoints/result.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { refuseArguments } from './shared.js';
import { UserError } from '../../user-error.js';
import { DEFAULT_WATCH_SETTINGS, watchServer, type WatchSettings } from '../../daemon/daemon.js';
import { formatEntry, Journal, type JournalEntry, type JournalRecord } from '../../ops/journal.js';
import { watchLockPath } from '../../ops/status.js';
import { takeLock } from '../../../checkpoints/lock.js';
import { PROC_IDENTITY } from '../../../sessions/proc/liveness.js';
import type { ValuesOf } from './options.js';
import { tsessionCommand } from '../../ops/command-words.js';

/** A seconds option → milliseconds; a usage error unless a number ≥ 1 (or 0: never). */
export function parseSeconds(option: string, value: unknown, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value) || (n !== 0 && n < 1)) {
    throw new UserError(`${option}: expected seconds (a number ≥ 1, or 0 for none), got ${JSON.stringify(value)}`, EXIT.usage);
  }
  return Math.round(n * 1000);
}

/** `--max-restores`: a whole number ≥ 1; undefined: the config's. */
export function parseMaxRestores(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < 1) {
    throw new UserError(`--max-restores: expected a whole number ≥ 1, got ${JSON.stringify(value)}`, EXIT.usage);
  }
  return Number(value);
}

/** `--interval` in seconds → milliseconds. */
export const parseInterval = (value: unknown): number => parseSeconds('--interval', value, DEFAULT_WATCH_SETTINGS.intervalMs);

/**
 * The server as the unit names it: `-L NAME` as the user gave it (with
 * TMUX_TMPDIR in the unit's environment, so it resolves to the same
 * socket), else the socket path — under systemd there is no $TMUX to go by.
 */
function unitServer(ctx: Context): string[] {
  if (ctx.opts.socketPath === undefined && ctx.opts.socketName !== undefined) return ['-L', ctx.opts.socketName];
  return ['-S', ctx.server.socketPath];
}

/** `--interval` and `--health`, checked (the same bounds) before anything is printed or started. */
function watchTimes(v: ValuesOf<'watch'>): { intervalMs: number; healthMs: number } {
  return { intervalMs: parseInterval(v.interval), healthMs: parseSeconds('--health', v.health, DEFAULT_WATCH_SETTINGS.healthMs) };
}

/** The daemon's own argv for a unit: absolute paths, the server as the user named it, the same options. */
function unitArgv(ctx: Context, v: ValuesOf<'watch'>): string[] {
  const argv = [process.execPath, resolve(process.argv[1] ?? 'tsession'), ...unitServer(ctx)];
  if (ctx.server.configFile) argv.push('-f', resolve(ctx.server.configFile));
  // Always the resolved dir: under systemd, XDG_STATE_HOME of the login shell is not set.
  argv.push('--state-dir', ctx.paths.stateDir);
  argv.push('--watch');
  if (typeof v.interval === 'string') argv.push('--interval', v.interval);
  if (v['auto-restore'] === true) argv.push('--auto-restore');
  if (v.markers === true) argv.push('--markers');
  if (typeof v.health === 'string') argv.push('--health', v.health);
  if (v['auto-unfreeze'] === true) argv.push('--auto-unfreeze');
  if (typeof v['auto-unfreeze-after'] === 'string') argv.push('--auto-unfreeze-after', v['auto-unfreeze-after']);
  if (typeof v['max-restores'] === 'string') argv.push('--max-restores', v['max-restores']);
  return argv;
}

/** What the daemon must see as it sees it here: where its config lives, and the PATH shells are restored with. */
function unitEnv(ctx: Context): Record<string, string> {
  return {
    XDG_CONFIG_HOME: dirname(ctx.paths.configDir),
    ...(ctx.env.PATH ? { PATH: ctx.env.PATH } : {}),
    ...(ctx.env.SHELL ? { SHELL: ctx.env.SHELL } : {}),
    ...(ctx.env.TMUX_TMPDIR && unitServer(ctx)[0] === '-L' ? { TMUX_TMPDIR: ctx.env.TMUX_TMPDIR } : {}),
  };
}

export async function run(ctx: Context, v: ValuesOf<'watch'>, positionals: string[]): Promise<number> {
  refuseArguments('watch', positionals); // it follows the whole server
  const times = watchTimes(v);
  const maxRestores = parseMaxRestores(v['max-restores']);
  const unfreezeAfter = v['auto-unfreeze-after'] === undefined ? null : parseSeconds('--auto-unfreeze-after', v['auto-unfreeze-after'], 0);
  if (v['print-unit'] === true) {
    // The socket path is said in the description too: with -L the command line does not hold it, and `tsession doctor` finds a server's unit by it.
    const described = ctx.server.label.startsWith('-S ') ? ctx.server.label : `${ctx.server.label} (${ctx.server.socketPath})`;
    const unit = watchUnit(described, unitArgv(ctx, v), unitEnv(ctx));
    process.stdout.write(ctx.opts.json ? `${JSON.stringify({ unit })}\n` : unit);
    return EXIT.ok;
  }
  // A config that does not validate would make every save fail while the unit looks healthy: refuse (one line, exit 1).
  const config = await ctx.config();
  const settings: WatchSettings = {
    ...DEFAULT_WATCH_SETTINGS,
    ...times,
    autoRestore: v['auto-restore'] === true,
    markers: v.markers === true,
    autoUnfreeze: v['auto-unfreeze'] === true,
    autoUnfreezeAfterMs: unfreezeAfter,
    breaker: { ...DEFAULT_WATCH_SETTINGS.breaker, maxRestores: maxRestores ?? config.watch.maxRestores },
  };
  const store = await ctx.store();
  // A store that cannot be created would make every save fail while the unit looks healthy: exit 4 now.
  await ensurePrivateDir(ctx.storeDir, ctx.paths.stateDir);
  await ensurePrivateDir(ctx.paths.runtimeDir);
  const lock = await takeLock(watchLockPath(ctx), PROC_IDENTITY);
  if (lock.kind === 'held') {
    throw new UserError(
      `tmux server ${ctx.server.label} is already watched by tsession pid ${lock.holder.pid} (since ${lock.holder.since}); see ${tsessionCommand(ctx, 'status')}`,
      EXIT.conflict,
    );
  }
  await store.prepare();
  const journal = new Journal(ctx.storeDir);
  const human = !ctx.opts.json && process.stderr.isTTY === true;
  let journalBroken = false;
  const report = (entry: JournalRecord) => {
    const full: JournalEntry = { at: new Date().toISOString(), ...entry };
    process.stderr.write(`${human ? formatEntry(full) : JSON.stringify(full)}\n`);
    journal.append(entry).catch((e: unknown) => {
      // Watching goes on without a journal (a full disk is reported once; saves report their own failures).
      if (!journalBroken) ctx.warn(`cannot write the journal ${journal.path}: ${errorMessage(e)}`);
      journalBroken = true;
    });
  };
  const stop = new AbortController();
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGHUP' ? 1 : 15)); // a second signal: leave now
    report({ kind: 'daemon', what: 'stopping', cause: sig });
    stop.abort();
  };
  for (const s of signals) process.on(s, onSignal);
  report({
    kind: 'daemon',
    what: 'started',
    detail: `pid ${process.pid}, tmux server ${ctx.server.label}`,
    evidence: [
      `interval ${settings.intervalMs / 1000} s, quiet ${settings.quietMs} ms`,
      settings.autoRestore
        ? `auto-restore on (at most ${settings.breaker.maxRestores} per ${settings.breaker.windowMs / 60_000} min)`
        : 'auto-restore off',
      settings.markers ? 'following shell-integration markers (one tmux client per session)' : 'not following pane output',
      settings.healthMs ? `health probes every ${settings.healthMs / 1000} s` : 'no health probes',
      settings.autoUnfreeze || config.watch.autoUnfreeze !== false
        ? `auto-unfreeze (gentle steps only) for ${settings.autoUnfreeze || config.watch.autoUnfreeze === true ? 'every session' : (config.watch.autoUnfreeze as readonly string[]).join(', ')} after ${(settings.autoUnfreezeAfterMs ?? config.watch.autoUnfreezeAfterMs) / 1000} s`
        : 'auto-unfreeze off',
      ...(lock.replacedStale ? [`took over a stale lock of pid ${lock.replacedStale.pid}`] : []),
    ],
  });
  try {
    await watchServer(ctx, settings, stop.signal, report);
  } finally {
    report({ kind: 'daemon', what: 'stopped' });
    await journal.flushed();
    for (const s of signals) process.off(s, onSignal);
    await lock.release();
  }
  return EXIT.ok;
}
