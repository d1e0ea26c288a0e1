/** `tsession import resurrect [FILE]`: the import op (src/ops/import.ts), what it wrote printed. */
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { importResurrect } from '../../ops/import.js';
import { UserError } from '../../user-error.js';
import type { ValuesOf } from './options.js';

/** Peers tsession imports from. */
const SOURCES = ['resurrect'] as const;

export async function run(ctx: Context, _v: ValuesOf<'import'>, positionals: string[]): Promise<number> {
  const [source, file, ...rest] = positionals;
  if (source !== 'resurrect') {
    const got = source === undefined ? 'nothing' : JSON.stringify(source);
    throw new UserError(`Expected what to import from (${SOURCES.join(', ')}), got ${got}; see tsession import --help`, EXIT.usage);
  }
  if (rest.length) throw new UserError(`import resurrect takes one save file, got also ${JSON.stringify(rest[0])}`, EXIT.usage);
  const res = await importResurrect(ctx, file === undefined ? {} : { file });
  if (ctx.opts.json) {
    process.stdout.write(`${JSON.stringify(res)}\n`);
    return EXIT.ok;
  }
  const n = res.sessions.length;
  const contents = res.archive ? `, contents of ${res.contents} from ${res.archive}` : '';
  process.stdout.write(
    `Imported ${n} ${n === 1 ? 'session' : 'sessions'} (${res.sessions.join(', ')}), ${res.panes} ${res.panes === 1 ? 'pane' : 'panes'}${contents}\n` +
      `  from ${res.file}\n  as checkpoint ${res.id}; bring them back with: tsession${ctx.opts.socketName ? ` -L ${ctx.opts.socketName}` : ''} restore ${res.sessions.map(shellWord).join(' ')}\n` +
      res.notes.map((note) => `  note: ${note}\n`).join(''),
  );
  return EXIT.ok;
}

/** A session name as a person can paste it into a POSIX shell. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
