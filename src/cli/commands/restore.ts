/**
 * `tsession restore`: the restore op (src/ops/restore.ts, journaled there)
 * from the checkpoint argv names, with progress on a terminal and a plan
 * for --dry-run.
 */
import type { RestoreProgress } from '../../../sessions/restore/transaction.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { pickCheckpoint } from '../../ops/checkpoints.js';
import { journalIn } from '../../ops/journal.js';
import { restore } from '../../ops/restore.js';
import { formatCommand } from './format.js';
import type { ValuesOf } from './options.js';

/** Restores of more panes than this show progress on a terminal. */
const PROGRESS_MIN_PANES = 4;

export async function run(ctx: Context, v: ValuesOf<'restore'>, names: string[]): Promise<number> {
  const t0 = performance.now();
  // Milliseconds from this command's start at which each step began (for --json and the benchmark).
  const timings: Record<string, number> = { sinceStartMs: t0 };
  const mark = (step: string) => (timings[`${step}AtMs`] ??= performance.now() - t0);
  const dryRun = v['dry-run'] === true;
  const { checkpoint, fellBack } = await pickCheckpoint(
    ctx,
    v.from,
    names.length ? (b) => names.every((n) => b.sessions.some((s) => s.name === n)) : undefined,
    names.length ? `holding session ${names.map((n) => JSON.stringify(n)).join(', ')}` : undefined,
  );
  const body = checkpoint.body;
  mark('checkpointRead');
  let showProgress = false;
  const progress = (p: RestoreProgress) => {
    mark(p.phase);
    if (p.phase === 'plan') showProgress = !ctx.opts.json && process.stderr.isTTY === true && p.panes > PROGRESS_MIN_PANES;
    if (!showProgress) return;
    const line =
      p.phase === 'plan'
        ? `restoring ${p.sessions} session(s), ${p.panes} panes from ${body.id}`
        : p.phase === 'commands'
          ? `typing ${p.count} saved command(s) once shells are ready`
          : p.phase === 'done'
            ? `restored ${p.session} (${p.windows} windows, ${p.panes} panes)`
            : `${p.phase}: ${p.sessions.join(', ')}`;
    process.stderr.write(`tsession: ${line}\n`);
  };
  const { result, journalProblem } = await restore(
    ctx,
    {
      checkpoint: body,
      sessions: names,
      ...(v.as !== undefined ? { as: v.as } : {}),
      replace: v.replace === true,
      noCommands: v['no-commands'] === true,
      dryRun,
      onProgress: progress,
    },
    { cause: 'tsession restore (by hand)', journal: journalIn(ctx.storeDir) },
  );
  mark('end');
  if (journalProblem) ctx.warn(journalProblem);
  if (ctx.opts.json) {
    process.stdout.write(
      `${JSON.stringify({
        checkpoint: body.id,
        timings,
        dryRun,
        restored: result.restored,
        skipped: result.skipped,
        typed: result.typed,
        notes: result.notes,
        ...(dryRun ? { plan: result.plan } : {}),
      })}\n`,
    );
  } else if (dryRun) {
    const out = [`# plan from checkpoint ${body.id}: one tmux call each for build, finalize`];
    out.push('# build', ...result.plan.build.map(formatCommand));
    out.push('# finalize (after verification)', ...result.plan.finalize.map(formatCommand));
    for (const j of result.plan.joins) out.push(`# then ${j.name} joins its session group`, ...j.commands.map(formatCommand));
    if (result.plan.typing.length) {
      out.push('# then, once each shell waits at its prompt:');
      for (const t of result.plan.typing) out.push(`#   ${t.session}:${t.windowIndex} pane ${t.position}: ${t.text}  — ${t.why}`);
    }
    for (const n of result.notes) out.push(`# note: ${n}`);
    for (const s of result.skipped) out.push(`# skipped ${s.name}: ${s.reason}`);
    process.stdout.write(out.join('\n') + '\n');
  } else {
    const out: string[] = [];
    for (const r of result.restored) out.push(`restored ${r.name} (${r.windows} windows, ${r.panes} panes)`);
    for (const s of result.skipped) out.push(`skipped ${s.name}: ${s.reason}`);
    for (const t of result.typed) out.push(`${t.ran ? 're-ran' : 'typed (press Enter to run)'} in ${t.target}: ${t.text}`);
    for (const n of result.notes) out.push(`note: ${n}`);
    if (!result.restored.length && !result.skipped.length) out.push('nothing to restore');
    process.stdout.write(out.join('\n') + '\n');
  }
  return fellBack ? EXIT.usedFallback : EXIT.ok;
}
