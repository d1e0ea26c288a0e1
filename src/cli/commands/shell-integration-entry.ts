/** CLI glue for `tsession shell-integration SHELL` (the work is in ./shell-integration.ts). */
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { UserError } from '../../user-error.js';
import type { ValuesOf } from './options.js';

export async function run(ctx: Context, _v: ValuesOf<'shell-integration'>, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UserError(`Expected one shell (bash, zsh or fish), got ${args.length ? args.map((a) => JSON.stringify(a)).join(' ') : 'none'}; usage: tsession shell-integration bash|zsh|fish`, EXIT.usage);
  const { isIntegratedShell, shellIntegrationCommand, shellScriptPath } = await import('./shell-integration.js');
  const shell = args[0]!;
  if (ctx.opts.json && isIntegratedShell(shell)) {
    const { readFile } = await import('node:fs/promises');
    process.stdout.write(`${JSON.stringify({ shell, script: await readFile(shellScriptPath(shell), 'utf8') })}\n`);
    return EXIT.ok;
  }
  await shellIntegrationCommand(shell);
  return EXIT.ok;
}
