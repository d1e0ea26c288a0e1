/**
 * `tsession status`: does the server run and answer, is a watch daemon
 * following it, and what did
 * it do last — from the lock file and the journal, so it works whether or
 * not the daemon runs.
 */
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { formatEntry } from '../../ops/journal.js';
import { serverState, watchStatus } from '../../ops/status.js';
import { tsessionCommand } from '../../ops/command-words.js';
import { count, visible } from '../../../checkpoints/words.js';
import type { ValuesOf } from './options.js';
import { refuseArguments } from './shared.js';

export async function run(ctx: Context, _v: ValuesOf<'status'>, positionals: string[]): Promise<number> {
  refuseArguments('status', positionals);
  const [{ watching, holder, lastSave, lastDetection, lastRestore, journalEmpty, lastSaveFailed, configInvalid, leftDown }, server] = await Promise.all([watchStatus(ctx), serverState(ctx)]);
  if (ctx.opts.json) {
    process.stdout.write(
      `${JSON.stringify({
        server: { label: ctx.server.label, socketPath: ctx.server.socketPath, state: server },
        watching,
        daemon: watching ? holder : null,
        lastSave,
        lastDetection,
        lastRestore,
        lastSaveFailed,
        configInvalid,
        leftDown,
      })}\n`,
    );
    return EXIT.ok;
  }
  const serverWords =
    server.kind === 'running'
      ? `running, ${count(server.sessions, 'session')}`
      : server.kind === 'not-running'
        ? 'NOT RUNNING'
        : `NOT ANSWERING (${visible(server.detail)}; ${tsessionCommand(ctx, 'unfreeze', '--dry-run')} says why)`;
  const out = [
    `tmux server ${ctx.server.label} (${ctx.server.socketPath}): ${serverWords}`,
    watching
      ? `watched by tsession pid ${holder!.pid} since ${holder!.since}`
      : `not watched${holder ? ` (stale lock of pid ${holder.pid})` : ''}; start with: ${tsessionCommand(ctx, '--watch')}`,
  ];
  // Said right under "watched": a daemon that cannot save protects nothing.
  if (lastSaveFailed) out.push(`SAVES FAILING: the last save failed at ${lastSaveFailed.at}: ${visible(lastSaveFailed.detail ?? 'no reason given')}`);
  if (leftDown) out.push(`RESTORES STOPPED at ${leftDown.at}: ${visible([...(leftDown.evidence ?? []), leftDown.detail ?? ''].filter(Boolean).join('; '))}`);
  if (configInvalid) out.push(`CONFIG INVALID since ${configInvalid.at}: ${visible(configInvalid.detail ?? '')} (the daemon goes on with its last good settings)`);
  for (const [label, e] of [['last save', lastSave], ['last detection', lastDetection], ['last restore', lastRestore]] as const) {
    if (e) out.push(`${label}: ${formatEntry(e).split('\n')[0]}`);
  }
  if (journalEmpty) out.push('the journal is empty');
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}
