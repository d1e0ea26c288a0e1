/** CLI glue for `tsession shell-integration SHELL` (the work is in ./shell-integration.ts). */
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import type { ValuesOf } from './options.js';
import { oneShell } from './shared.js';

export async function run(ctx: Context, _v: ValuesOf<'shell-integration'>, args: string[]): Promise<number> {
  const shell = oneShell('shell-integration', args);
  const { shellIntegrationCommand, shellScriptPath } = await import('./shell-integration.js');
  if (ctx.opts.json) {
    const { readFile } = await import('node:fs/promises');
    process.stdout.write(`${JSON.stringify({ shell, script: await readFile(shellScriptPath(shell), 'utf8') })}\n`);
    return EXIT.ok;
  }
  await shellIntegrationCommand(shell);
  return EXIT.ok;
}
