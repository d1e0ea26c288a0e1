/**
 * `tsession restore`: the restore op (src/ops/restore.ts, journaled there)
 * from the checkpoint argv names — bare, every saved session not running,
 * each from its newest checkpoint (src/ops/restore-saved.ts) — with
 * progress on a terminal, a plan for --dry-run, and on stdout what came
 * back from which checkpoint and what was skipped and why.
 */
import { restoreTypistEntry, selfBinPath } from '../../../checkpoints/paths.js';
import type { RestoreProgress } from '../../../sessions/restore/transaction.js';
import { count, visible } from '../../../checkpoints/words.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { pickCheckpoint } from '../../ops/checkpoints.js';
import { journalIn } from '../../ops/journal.js';
import type { LostContents } from '../../ops/checkpoints.js';
import { restore, type RestoreOutcome } from '../../ops/restore.js';
import { restoreSaved } from '../../ops/restore-saved.js';
import { UserError } from '../../user-error.js';
import { checkpointWords, formatCommand, tmuxFlags } from './format.js';
import type { ValuesOf } from './options.js';

/** Restores of more panes than this show progress on a terminal. */
const PROGRESS_MIN_PANES = 4;

const CAUSE = 'tsession restore (by hand)';

/** One restore's result as text lines: what came back from `checkpointId`, then what was (or will be) typed and noticed. */
function outcomeLines(checkpointId: string, { result, handoff }: RestoreOutcome): string[] {
  const out: string[] = [];
  const from = checkpointWords(checkpointId);
  const later = handoff?.kind === 'handed-off';
  for (const r of result.restored) out.push(`restored ${visible(r.name)} (${count(r.windows, 'window')}, ${count(r.panes, 'pane')}) from ${from}`);
  for (const s of result.skipped) out.push(`skipped ${visible(s.name)}: ${s.reason}`);
  for (const t of result.typed) {
    const what = later ? (t.ran ? 'will re-run' : 'will type (press Enter to run)') : t.ran ? 're-ran' : 'typed (press Enter to run)';
    out.push(`${what} in ${t.where}: ${visible(t.text)}`);
  }
  if (later) out.push(`note: saved commands are typed as their shells reach their prompts (tsession log says when; --wait waits)`);
  for (const n of [...result.notes, ...(handoff?.kind === 'finished-here' ? [handoff.why, ...handoff.notes] : [])]) out.push(`note: ${visible(n)}`);
  return out;
}

/** The --dry-run plan of one restore as text lines: tmux commands for the server the user named. */
function planLines(checkpointId: string, { result }: RestoreOutcome, flags: readonly string[]): string[] {
  const cmd = (c: readonly string[]) => formatCommand(c, flags);
  const out = [`# plan from ${checkpointWords(checkpointId)}: one tmux call each for build, finalize`];
  out.push('# build', ...result.plan.build.map(cmd));
  out.push('# finalize (after verification)', ...result.plan.finalize.map(cmd));
  for (const j of result.plan.joins) out.push(`# then ${visible(j.name)} joins its session group`, ...j.commands.map(cmd));
  if (result.plan.typing.length) {
    out.push('# then, once each shell waits at its prompt:');
    for (const t of result.plan.typing) out.push(`#   ${visible(t.where)}: ${visible(t.text)}  — ${t.why}`);
  }
  if (result.plan.options.length) {
    out.push('# then, once the panes are done with, their saved options:');
    for (const o of result.plan.options) out.push(`#   ${visible(o.where)}: ${o.options.map(([k, val]) => `${k} ${val}`).join(', ')}`);
  }
  for (const n of result.notes) out.push(`# note: ${visible(n)}`);
  for (const s of result.skipped) out.push(`# skipped ${visible(s.name)}: ${s.reason}`);
  return out;
}

/** Contents that did not come back: said on stdout, and the exit code says the restore was partial. */
const lostLines = (lost: readonly LostContents[]): string[] =>
  lost.map((l) => `contents lost: blob ${l.blob.slice(0, 12)} is ${l.reason}; the panes that showed it came back without their saved contents`);

export async function run(ctx: Context, v: ValuesOf<'restore'>, names: string[]): Promise<number> {
  // Before anything is read or built: tmux would refuse an empty name only after the build started.
  if (v.as === '') throw new UserError('Expected --as to name the restored copy, got an empty name; see tsession restore --help', EXIT.usage);
  if (v.as !== undefined && names.length > 1) {
    throw new UserError(`Expected one session name with --as, got ${names.map((n) => JSON.stringify(n)).join(' ')}; usage: tsession restore SESSION --as NAME`, EXIT.usage);
  }
  if (v.all === true && names.length) throw new UserError(`Expected session names or --all, got both; see tsession restore --help`, EXIT.usage);
  const t0 = performance.now();
  // Milliseconds from this command's start at which each step began (for --json and the benchmark).
  const timings: Record<string, number> = { sinceStartMs: t0 };
  const mark = (step: string) => (timings[`${step}AtMs`] ??= performance.now() - t0);
  const dryRun = v['dry-run'] === true;
  let showProgress = false;
  let from = '';
  const progress = (p: RestoreProgress) => {
    mark(p.phase);
    if (p.phase === 'plan') showProgress = !ctx.opts.json && process.stderr.isTTY === true && p.panes > PROGRESS_MIN_PANES;
    if (!showProgress) return;
    const line =
      p.phase === 'plan'
        ? `restoring ${count(p.sessions, 'session')}, ${count(p.panes, 'pane')}${from ? ` from ${checkpointWords(from)}` : ''}`
        : p.phase === 'commands'
          ? `typing ${count(p.count, 'saved command')} once shells are ready`
          : p.phase === 'done'
            ? `restored ${visible(p.session)} (${count(p.windows, 'window')}, ${count(p.panes, 'pane')})`
            : `${p.phase}: ${p.sessions.map(visible).join(', ')}`;
    process.stderr.write(`tsession: ${line}\n`);
  };
  const how = { cause: CAUSE, journal: journalIn(ctx.storeDir) };
  // Shells start as slowly as their rc files: unless asked to wait, a background typist types the saved commands.
  const typist = dryRun || v.wait === true ? {} : { typist: [process.execPath, restoreTypistEntry(selfBinPath(process.argv[1]))] };
  const common = { replace: v.replace === true, noCommands: v['no-commands'] === true, dryRun, onProgress: progress, ...typist };

  let parts: { checkpointId: string; outcome: RestoreOutcome }[];
  let skipped: readonly { name: string; reason: string }[] = [];
  let fellBack: boolean;
  if (names.length === 0 && v.from === undefined && v.as === undefined) {
    // Bare: every saved session, each from its own newest checkpoint.
    const saved = await restoreSaved(ctx, { ...common, closedToo: v.all === true }, how);
    mark('checkpointRead');
    for (const w of saved.warnings) ctx.warn(w);
    parts = saved.parts.map((p) => ({ checkpointId: p.checkpointId, outcome: p }));
    skipped = saved.skipped;
    fellBack = saved.warnings.length > 0;
  } else {
    const picked = await pickCheckpoint(
      ctx,
      v.from,
      names.length ? (b) => names.every((n) => b.sessions.some((s) => s.name === n)) : undefined,
      names.length ? `holding session ${names.map((n) => JSON.stringify(n)).join(', ')}` : undefined,
    );
    mark('checkpointRead');
    from = picked.checkpoint.body.id;
    const outcome = await restore(ctx, { checkpoint: picked.checkpoint.body, sessions: names, ...(v.as !== undefined ? { as: v.as } : {}), ...common }, how);
    parts = [{ checkpointId: from, outcome }];
    fellBack = picked.fellBack;
  }
  mark('end');
  for (const p of parts) if (p.outcome.journalProblem) ctx.warn(p.outcome.journalProblem);
  const lost = parts.flatMap((p) => p.outcome.lostContents);
  const all = (pick: (o: RestoreOutcome['result']) => readonly unknown[]) => parts.flatMap((p) => pick(p.outcome.result).map((x) => ({ ...(x as object), checkpoint: p.checkpointId })));
  if (ctx.opts.json) {
    process.stdout.write(
      `${JSON.stringify({
        checkpoint: parts[0]?.checkpointId ?? null,
        checkpoints: parts.map((p) => p.checkpointId),
        ...(v.timings === true ? { timings } : {}),
        dryRun,
        restored: all((r) => r.restored),
        skipped: [...all((r) => r.skipped), ...skipped],
        typed: all((r) => r.typed),
        // 'background': `typed` is what the typist will type; 'done': typed before this returned.
        typing: parts.some((p) => p.outcome.handoff?.kind === 'handed-off') ? 'background' : 'done',
        notes: parts.flatMap((p) => [...p.outcome.result.notes, ...(p.outcome.handoff?.kind === 'finished-here' ? [p.outcome.handoff.why, ...p.outcome.handoff.notes] : [])]),
        lostContents: lost,
        ...(dryRun ? { plan: parts[0]?.outcome.result.plan ?? null, plans: parts.map((p) => ({ checkpoint: p.checkpointId, plan: p.outcome.result.plan })) } : {}),
      })}\n`,
    );
  } else {
    const flags = tmuxFlags(ctx);
    const out = parts.flatMap((p) => (dryRun ? planLines(p.checkpointId, p.outcome, flags) : outcomeLines(p.checkpointId, p.outcome)));
    for (const s of skipped) out.push(`${dryRun ? '# ' : ''}skipped ${visible(s.name)}: ${s.reason}`);
    out.push(...lostLines(lost));
    if (!dryRun && !parts.some((p) => p.outcome.result.restored.length || p.outcome.result.skipped.length) && !skipped.length) out.push('nothing to restore');
    process.stdout.write(out.join('\n') + '\n');
  }
  // A restore that came from an older checkpoint, or lost saved contents, is done but partial.
  return fellBack || lost.length ? EXIT.usedFallback : EXIT.ok;
}
