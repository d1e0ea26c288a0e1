/**
 * `tsession log`: the recovery journal of this server, newest last — what
 * tsession noticed and did, with causes and evidence.
 */
import { count } from '../../../checkpoints/words.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { formatEntry, readJournal } from '../../ops/journal.js';
import { UserError } from '../../user-error.js';
import type { ValuesOf } from './options.js';
import { refuseArguments } from './shared.js';

export const DEFAULT_LOG_LINES = 20;

export async function run(ctx: Context, v: ValuesOf<'log'>, positionals: string[]): Promise<number> {
  refuseArguments('log', positionals);
  const raw = v.lines;
  const wanted = raw === undefined ? DEFAULT_LOG_LINES : Number(raw);
  if (typeof raw === 'string' && !/^\d+$/.test(raw)) throw new UserError(`--lines: expected a whole number, got ${JSON.stringify(raw)}`, EXIT.usage);
  const { entries, skipped } = await readJournal(ctx.storeDir);
  const shown = wanted === 0 ? entries : entries.slice(-wanted);
  if (skipped) ctx.warn(`${count(skipped, 'unreadable journal line')} skipped`);
  if (ctx.opts.json) {
    process.stdout.write(shown.map((e) => `${JSON.stringify(e)}\n`).join(''));
  } else if (!shown.length) {
    process.stdout.write(`the journal of tmux server ${ctx.server.label} is empty (tsession --watch writes it)\n`);
  } else {
    process.stdout.write(`${shown.map(formatEntry).join('\n')}\n`);
  }
  return EXIT.ok;
}
