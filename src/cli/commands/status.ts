/**
 * `tsession status`: is a watch daemon following this server, and what did
 * it do last — from the lock file and the journal, so it works whether or
 * not the daemon runs.
 */
import { quoteCommandLine } from '../../../sessions/restore/shell-quote.js';
import { tsessionServerFlags } from './format.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { visible } from '../../../checkpoints/words.js';
import { formatEntry } from '../../ops/journal.js';
import { watchStatus } from '../../ops/status.js';
import type { ValuesOf } from './options.js';
import { refuseArguments } from './shared.js';

/** The command that starts a daemon for this server, with the server options the user gave, quoted to paste into bash or zsh. */
const startCommand = (ctx: Context): string => {
  const argv = ['tsession', ...tsessionServerFlags(ctx), '--watch'];
  return quoteCommandLine(argv, 'posix-ansi') ?? argv.join(' ');
};

export async function run(ctx: Context, _v: ValuesOf<'status'>, positionals: string[]): Promise<number> {
  refuseArguments('status', positionals);
  const { watching, holder, lastSave, lastDetection, lastRestore, journalEmpty, lastSaveFailed, configInvalid } = await watchStatus(ctx);
  if (ctx.opts.json) {
    process.stdout.write(
      `${JSON.stringify({
        server: { label: ctx.server.label, socketPath: ctx.server.socketPath },
        watching,
        daemon: watching ? holder : null,
        lastSave,
        lastDetection,
        lastRestore,
        lastSaveFailed,
        configInvalid,
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
  // Said right under "watched": a daemon that cannot save protects nothing.
  if (lastSaveFailed) out.push(`SAVES FAILING: the last save failed at ${lastSaveFailed.at}: ${visible(lastSaveFailed.detail ?? 'no reason given')}`);
  if (configInvalid) out.push(`CONFIG INVALID since ${configInvalid.at}: ${visible(configInvalid.detail ?? '')} (the daemon goes on with its last good settings)`);
  for (const [label, e] of [['last save', lastSave], ['last detection', lastDetection], ['last restore', lastRestore]] as const) {
    if (e) out.push(`${label}: ${formatEntry(e).split('\n')[0]}`);
  }
  if (journalEmpty) out.push('the journal is empty');
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}
