/** CLI glue for `tsession parse` (the work is in ./parse.ts). */
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { UserError } from '../../user-error.js';
import type { ValuesOf } from './options.js';

export async function run(_ctx: Context, v: ValuesOf<'parse'>, args: string[]): Promise<number> {
  if (args.length > 1) throw new UserError(`Expected at most one FILE, got ${args.length}`, EXIT.usage);
  if (typeof v.nonce === 'string' && !/^[0-9A-Za-z_-]{1,256}$/.test(v.nonce)) {
    throw new UserError(`Expected --nonce to be letters, digits, - or _, got ${JSON.stringify(v.nonce)}`, EXIT.usage);
  }
  const { parseCommand } = await import('./parse.js');
  await parseCommand({
    ...(typeof v.nonce === 'string' ? { nonce: v.nonce } : {}),
    control: v.control === true,
    ...(args[0] !== undefined ? { file: args[0] } : {}),
  });
  return EXIT.ok;
}
