/**
 * `tsession log`: the recovery journals, newest last — this tmux server's
 * (its watch daemon, the commands run on it) and the PTY host's, merged by
 * time, each line marked with where it came from. `--tmux` or `--pty`
 * shows one side. Reads files only: no tmux is run, so it works without
 * tmux installed.
 */
import { ptyStoreDir } from '../../../checkpoints/paths.js';
import { count } from '../../../checkpoints/words.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { formatEntry, mergeJournals, readJournal, type JournalSource } from '../../ops/journal.js';
import { UserError } from '../../user-error.js';
import type { ValuesOf } from './options.js';
import { refuseArguments } from './shared.js';

export const DEFAULT_LOG_LINES = 20;

/** The PTY host's mark on a line; a tmux server's is its label (`-L work`). */
export const PTY_SOURCE_LABEL = 'pty';

export async function run(ctx: Context, v: ValuesOf<'log'>, positionals: string[]): Promise<number> {
  refuseArguments('log', positionals);
  const raw = v.lines;
  const wanted = raw === undefined ? DEFAULT_LOG_LINES : Number(raw);
  if (typeof raw === 'string' && !/^\d+$/.test(raw)) throw new UserError(`--lines: expected a whole number, got ${JSON.stringify(raw)}`, EXIT.usage);
  if (v.pty === true && v.tmux === true) throw new UserError('Expected at most one of --pty and --tmux, got both (neither shows both journals)', EXIT.usage);
  const sides: { source: JournalSource; dir: string }[] = [];
  if (v.pty !== true) sides.push({ source: 'tmux', dir: ctx.storeDir });
  if (v.tmux !== true) sides.push({ source: 'pty', dir: ptyStoreDir(ctx.paths.stateDir) });
  const read = await Promise.all(sides.map(async (s) => ({ source: s.source, ...(await readJournal(s.dir)) })));
  const skipped = read.reduce((n, r) => n + r.skipped, 0);
  const merged = mergeJournals(read);
  const shown = wanted === 0 ? merged : merged.slice(-wanted);
  if (skipped) ctx.warn(`${count(skipped, 'unreadable journal line')} skipped`);
  if (ctx.opts.json) {
    process.stdout.write(shown.map((s) => `${JSON.stringify({ ...s.entry, source: s.source })}\n`).join(''));
    return EXIT.ok;
  }
  if (!shown.length) {
    process.stdout.write(`${emptyLine(sides.map((s) => s.source), ctx.server.label)}\n`);
    return EXIT.ok;
  }
  const labels: Record<JournalSource, string> = { tmux: ctx.server.label, pty: PTY_SOURCE_LABEL };
  const width = Math.max(...sides.map((s) => labels[s.source].length));
  process.stdout.write(`${shown.map((s) => formatEntry(s.entry, labels[s.source].padEnd(width))).join('\n')}\n`);
  return EXIT.ok;
}

/** What an empty log says: which journals were read, and what writes each. */
function emptyLine(sources: readonly JournalSource[], serverLabel: string): string {
  const tmux = `tmux server ${serverLabel} (tsession --watch writes it)`;
  const pty = 'the PTY host (tsession new starts it)';
  if (sources.length === 2) return `the journals of ${tmux} and of ${pty} are empty`;
  return `the journal of ${sources[0] === 'tmux' ? tmux : pty} is empty`;
}
