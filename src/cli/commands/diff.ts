/** `tsession diff [SESSION] [--from ID]`: live sessions vs a checkpoint (src/ops/diff.ts), as lines or JSON. */
import { visible } from '../../../checkpoints/words.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { pickCheckpoint } from '../../ops/checkpoints.js';
import { diffCheckpoint } from '../../ops/diff.js';
import type { ValuesOf } from './options.js';

export async function run(ctx: Context, v: ValuesOf<'diff'>, args: string[]): Promise<number> {
  const name = args[0];
  const { checkpoint, fellBack } = await pickCheckpoint(ctx, v.from, name ? (b) => b.sessions.some((s) => s.name === name) : undefined);
  const out = await diffCheckpoint(ctx, checkpoint.body, name);
  if (ctx.opts.json) {
    process.stdout.write(`${JSON.stringify({ checkpoint: checkpoint.body.id, sessions: out })}\n`);
  } else {
    const lines = [`comparing with checkpoint ${checkpoint.body.id}`];
    for (const s of out) {
      const label = visible(s.session);
      if (s.state === 'same') lines.push(`= ${label}: same as saved`);
      else if (s.state === 'not-running') lines.push(`- ${label}: not running (restore would bring it back)`);
      else if (s.state === 'not-saved') lines.push(`+ ${label}: running, not in this checkpoint`);
      else {
        lines.push(`~ ${label}:`);
        for (const d of s.differences) lines.push(`    ${d.kind} ${visible(d.where)}: saved ${visible(d.saved)} | live ${visible(d.live)}`);
      }
    }
    process.stdout.write(lines.join('\n') + '\n');
  }
  return fellBack ? EXIT.usedFallback : EXIT.ok;
}
