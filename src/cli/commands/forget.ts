/** `tsession forget SESSION`: the forget op (src/ops/departures.ts), said in one line or JSON. */
import { count, visible } from '../../../checkpoints/words.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { forgetSession } from '../../ops/departures.js';
import { UserError } from '../../user-error.js';
import type { ValuesOf } from './options.js';

export async function run(ctx: Context, _v: ValuesOf<'forget'>, names: string[]): Promise<number> {
  if (names.length !== 1) throw new UserError(`Expected one session name, got ${names.length}; usage: tsession forget SESSION`, EXIT.usage);
  const f = await forgetSession(ctx, names[0]!);
  if (ctx.opts.json) process.stdout.write(`${JSON.stringify(f)}\n`);
  else {
    const kept = f.kept ? `; kept ${count(f.kept, 'checkpoint')} other sessions need` : '';
    process.stdout.write(`forgot ${visible(f.name)}: deleted ${count(f.removed.length, 'checkpoint')} holding only it${kept}\n`);
  }
  return EXIT.ok;
}
