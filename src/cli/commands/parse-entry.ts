/** CLI glue for `tsession parse` (the work is in ./parse.ts). */
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { UserError } from '../../user-error.js';
import { NONCE_PATTERN } from '../../../sessions/shell-integration/nonce-store.js';
import type { ValuesOf } from './options.js';
import { atMost } from './shared.js';

export async function run(_ctx: Context, v: ValuesOf<'parse'>, args: string[]): Promise<number> {
  atMost('parse', args, 1, 'file');
  // The rule every nonce meets (the scripts make them, the nonce store reads them): a nonce no shell could have made is a typo.
  if (typeof v.nonce === 'string' && !NONCE_PATTERN.test(v.nonce)) {
    throw new UserError(`Expected --nonce to be 16 to 128 letters and digits, as the shell-integration scripts make them, got ${JSON.stringify(v.nonce)}`, EXIT.usage);
  }
  const { parseCommand } = await import('./parse.js');
  await parseCommand({
    ...(typeof v.nonce === 'string' ? { nonce: v.nonce } : {}),
    control: v.control === true,
    ...(args[0] !== undefined ? { file: args[0] } : {}),
  });
  return EXIT.ok;
}
