/** `tsession save [SESSION…] [--force]`: the save op (src/ops/save.ts), its id or figures printed. */
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { saveCheckpoint } from '../../ops/save.js';
import type { ValuesOf } from './options.js';

export async function run(ctx: Context, v: ValuesOf<'save'>, names: string[]): Promise<number> {
  const res = await saveCheckpoint(ctx, { sessions: names, force: v.force === true });
  if (res.kind !== 'saved') {
    const reason = res.kind === 'skipped' ? res.reason : 'unchanged';
    if (ctx.opts.json) process.stdout.write(`${JSON.stringify({ saved: false, reason })}\n`);
    else process.stderr.write(`tsession: nothing saved: ${reason} (existing checkpoints kept; --force to save anyway)\n`);
    return EXIT.ok;
  }
  if (ctx.opts.json) {
    const { kind: _kind, timings, ...figures } = res;
    process.stdout.write(`${JSON.stringify({ saved: true, ...figures, ...(v.timings === true ? { timings } : {}) })}\n`);
  } else {
    process.stdout.write(`${res.id}\n`);
  }
  return EXIT.ok;
}
