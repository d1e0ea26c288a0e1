/**
 * `tsession status`: is a watch daemon following this server, and what did
 * it do last — from the lock file and the journal, so it works whether or
 * not the daemon runs.
 */
import { quoteCommandLine } from '../../../sessions/restore/shell-quote.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { refuseArguments } from './shared.js';
import { formatEntry, readJournal, type JournalEntry } from '../../daemon/journal.js';
import { readHolder } from '../../../checkpoints/lock.js';
import { isRunning as isAlive } from '../../../sessions/proc/liveness.js';
import { watchLockPath } from './watch.js';

/** The newest entry matching `pick`, or null. */
const newest = (entries: readonly JournalEntry[], pick: (e: JournalEntry) => boolean): JournalEntry | null => {
  for (let i = entries.length - 1; i >= 0; i--) if (pick(entries[i]!)) return entries[i]!;
  return null;
};

/** The command that starts a daemon for this server, quoted to paste into bash or zsh. */
const startCommand = (ctx: Context): string =>
  quoteCommandLine(['tsession', ...(ctx.server.label === 'default' ? [] : ['-S', ctx.server.socketPath]), '--watch'], 'posix-ansi') ?? 'tsession --watch';

export async function run(ctx: Context, _v: Record<string, unknown>, positionals: string[]): Promise<number> {
  refuseArguments('status', positionals);
  const holder = await readHolder(watchLockPath(ctx));
  const watching = holder !== null && isAlive(holder);
  const { entries } = await readJournal(ctx.storeDir);
  const lastSave = newest(entries, (e) => e.what === 'save' && e.result === 'ok');
  const lastDetection = newest(entries, (e) => e.kind === 'detected');
  const lastRestore = newest(entries, (e) => e.what === 'restore');
  if (ctx.opts.json) {
    process.stdout.write(
      `${JSON.stringify({
        server: { label: ctx.server.label, socketPath: ctx.server.socketPath },
        watching,
        daemon: watching ? holder : null,
        lastSave,
        lastDetection,
        lastRestore,
      })}\n`,
    );
    return EXIT.ok;
  }
  const out = [
    `tmux server ${ctx.server.label} (${ctx.server.socketPath})`,
    watching
      ? `watched by tsession pid ${holder!.pid} since ${holder!.since}`
      : `not watched${holder ? ` (stale lock of pid ${holder.pid})` : ''}; start with: ${startCommand(ctx)}`,
  ];
  for (const [label, e] of [['last save', lastSave], ['last detection', lastDetection], ['last restore', lastRestore]] as const) {
    if (e) out.push(`${label}: ${formatEntry(e).split('\n')[0]}`);
  }
  if (!entries.length) out.push('the journal is empty');
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}
