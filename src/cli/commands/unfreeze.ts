/**
 * `tsession unfreeze [SESSION] [--dry-run] [--yes]`: probe the server and
 * its panes (confirming what one probe cannot prove), print each frozen
 * session's evidence and repair ladder, then climb it. Resuming and
 * releasing run at once; interrupting, respawning and ending the server
 * only with --yes. Exit 0 when nothing is (or stays) frozen, 1 otherwise.
 */
import { visible } from '../../../checkpoints/words.js';
import { createProber } from '../../../sessions/health/probes.js';
import type { SessionVerdict } from '../../../sessions/health/classify.js';
import type { RepairEvent } from '../../../sessions/repair/execute.js';
import type { RepairPlan } from '../../../sessions/repair/plan.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { UserError } from '../../user-error.js';
import { atMost } from './shared.js';
import { journalIn } from '../../ops/journal.js';
import { examine, frozenTargets, planRepairs, repair } from '../../ops/unfreeze.js';
import type { ValuesOf } from './options.js';

/** The journal's cause of everything this command does. */
const CAUSE = 'tsession unfreeze (by hand)';

/** The plan as text. */
function planText(v: SessionVerdict, plan: RepairPlan, yes: boolean): string[] {
  const out = [`${visible(v.session)}: ${v.health}`];
  for (const e of v.evidence) out.push(`  ${e.probe}: ${visible(e.saw)}`);
  plan.steps.forEach((s, i) => out.push(`  ${i + 1}. ${s.title}${s.destructive ? (yes ? ' [destructive]' : ' [destructive: needs --yes]') : ''}`));
  for (const k of plan.skipped) out.push(`  skipped: ${k.title} — ${k.why}`);
  return out;
}

const EVENT_WORD = { start: '…', healed: 'healed:', 'not-healed': 'still frozen:', failed: 'failed:', declined: 'not run:', skipped: 'skipped:' } as const;

export async function run(ctx: Context, v: ValuesOf<'unfreeze'>, args: string[]): Promise<number> {
  atMost('unfreeze', args, 1, 'session name');
  const dryRun = v['dry-run'] === true;
  const yes = v.yes === true;
  const prober = createProber(ctx.server, { env: ctx.env });
  const exam = await examine(ctx, prober);
  const { report } = exam;
  // Nothing runs, so nothing can be frozen: a tmux problem (exit 3), as every command says it.
  if (exam.obs.server.answer === 'no-server') {
    throw new UserError(`No tmux server ${ctx.server.label} is running, so nothing is frozen; a crashed server's sessions come back with tsession restore`, EXIT.tmux);
  }
  const plans = planRepairs(exam, frozenTargets(report, args[0], ctx.server.label));
  // Every line may quote a session name or a pane's command: control characters never reach the terminal.
  const print = (l: string) => {
    if (!ctx.opts.json) process.stdout.write(`${visible(l)}\n`);
  };
  // A stopped server may leave a probe's pipe open: once done, never let it keep us alive.
  const exitSoon = <T>(code: T): T => {
    setTimeout(() => process.exit(), 100).unref();
    return code;
  };

  if (plans.length === 0) {
    const name = args[0];
    const summary = name
      ? `${visible(name)} is not frozen (${report.sessions.find((s) => s.session === name)?.health ?? 'unknown'})`
      : `nothing is frozen on tmux server ${ctx.server.label}${report.sessions.length ? ` (${report.sessions.map((s) => `${s.session}: ${s.health}`).join(', ')})` : ''}`;
    if (ctx.opts.json) process.stdout.write(`${JSON.stringify({ server: ctx.server.label, frozen: [], summary })}\n`);
    else print(summary);
    return exitSoon(EXIT.ok);
  }
  for (const { verdict, plan } of plans) for (const l of planText(verdict, plan, yes)) print(l);
  if (dryRun) {
    if (ctx.opts.json) process.stdout.write(`${JSON.stringify({ server: ctx.server.label, dryRun: true, frozen: plans.map((p) => ({ session: p.verdict.session, evidence: p.verdict.evidence, plan: p.plan })) })}\n`);
    return exitSoon(EXIT.ok);
  }

  const results: { session: string; healed: boolean; summary: string; events: RepairEvent[] }[] = [];
  for (const { verdict, plan } of plans) {
    const events: RepairEvent[] = [];
    const { outcome, journalProblem } = await repair(ctx, {
      plan,
      detected: verdict,
      cause: CAUSE,
      journal: journalIn(ctx.storeDir),
      observe: () => prober.round(),
      confirm: async () => yes,
      onEvent: (e) => {
        events.push(e);
        if (e.phase === 'start') print(`… ${e.step.title}`);
        else if (e.phase === 'declined') print(`✗ not run: ${e.step.title} — destructive; run again with --yes to allow it`);
        else print(`${e.phase === 'healed' ? '✓' : e.phase === 'failed' ? '✗' : '·'} ${EVENT_WORD[e.phase]} ${e.detail} (${e.ms} ms)`);
      },
    });
    print(outcome.summary);
    if (journalProblem) ctx.warn(journalProblem);
    results.push({ session: verdict.session, healed: outcome.healed, summary: outcome.summary, events });
  }
  if (ctx.opts.json) {
    process.stdout.write(
      `${JSON.stringify({
        server: ctx.server.label,
        results: results.map((r) => ({ session: r.session, healed: r.healed, summary: r.summary, events: r.events.map((e) => ({ step: e.step.title, action: e.step.action.kind, phase: e.phase, detail: e.detail, ms: e.ms })) })),
      })}\n`,
    );
  }
  return exitSoon(results.every((r) => r.healed) ? EXIT.ok : EXIT.failed);
}
