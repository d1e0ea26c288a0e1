/** `tsession attach NAME [--read-only]`: this terminal shows and drives a PTY session until the detach key. */
import type { Context } from '../../context.js';
import type { ValuesOf } from './options.js';
import { attachHere, oneName } from './pty-shared.js';

export async function run(ctx: Context, v: ValuesOf<'attach'>, positionals: string[]): Promise<number> {
  return attachHere(ctx, oneName('attach', positionals), v['read-only'] === true);
}
