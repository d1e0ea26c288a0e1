/** `tsession diff [SESSION] [--from ID] [--exit-code]`: live sessions vs a checkpoint (src/ops/diff.ts), as lines or JSON. */
import { visible } from '../../../checkpoints/words.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { assertKnownSession, checkpointFailure, pickCheckpoint } from '../../ops/checkpoints.js';
import { diffCheckpoint } from '../../ops/diff.js';
import { checkpointWords } from './format.js';
import type { ValuesOf } from './options.js';
import { atMost } from './shared.js';

export async function run(ctx: Context, v: ValuesOf<'diff'>, args: string[]): Promise<number> {
  atMost('diff', args, 1, 'session name');
  const name = args[0];
  if (name !== undefined) {
    // A typo is an unknown session (exit 2), not "no checkpoint" (exit 5).
    const listed = await (await ctx.store()).list();
    if (!listed.ok) throw checkpointFailure(listed.error);
    await assertKnownSession(ctx, name, listed.value);
  }
  const { checkpoint, fellBack } = await pickCheckpoint(ctx, v.from, name !== undefined ? (b) => b.sessions.some((s) => s.name === name) : undefined);
  const out = await diffCheckpoint(ctx, checkpoint.body, name);
  const differs = out.some((s) => s.state !== 'same');
  if (ctx.opts.json) {
    process.stdout.write(`${JSON.stringify({ checkpoint: checkpoint.body.id, createdAt: checkpoint.body.createdAt, differs, sessions: out })}\n`);
  } else {
    const lines = [`comparing with ${checkpointWords(checkpoint.body.id)}`];
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
  // As git diff --exit-code: 1 says "differs", which outranks "done from an older checkpoint".
  if (v['exit-code'] === true && differs) return EXIT.failed;
  return fellBack ? EXIT.usedFallback : EXIT.ok;
}
