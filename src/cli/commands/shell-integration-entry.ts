/** CLI glue for `tsession shell-integration SHELL` (the work is in ./shell-integration.ts). */
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { UserError } from '../../user-error.js';
import type { ValuesOf } from './options.js';

export async function run(_ctx: Context, _v: ValuesOf<'shell-integration'>, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UserError('Expected one shell: tsession shell-integration bash|zsh|fish', EXIT.usage);
  const { shellIntegrationCommand } = await import('./shell-integration.js');
  await shellIntegrationCommand(args[0]!);
  return EXIT.ok;
}
