/**
 * `tsession unfreeze [SESSION] [--dry-run] [--yes]`: probe the server and
 * its panes (confirming what one probe cannot prove), print each frozen
 * session's evidence and repair ladder, then climb it. Resuming and
 * releasing run at once; interrupting, respawning and ending the server
 * only with --yes. Exit 0 when nothing is (or stays) frozen, 1 otherwise.
 */
import { classify, type HealthReport, type Observation, type SavedSession, type SessionVerdict } from '../../../sessions/health/classify.js';
import { createProber, type Prober } from '../../../sessions/health/probes.js';
import { executeRepair, type RepairEvent } from '../../../sessions/repair/execute.js';
import { planRepair, type RepairPlan } from '../../../sessions/repair/plan.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { UserError } from '../../user-error.js';
import { visible } from './format-table.js';
import { restoreNewestGood } from './restore-newest.js';
import { journalActions, repairEntry, type JournalEntry } from '../../daemon/journal.js';

/** Named bounds of the command. */
export const UNFREEZE = {
  /** Extra probes to confirm a slow server or a blocked writer. */
  confirmRounds: 2,
  confirmDelayMs: 300,
} as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Restore every session of the newest good checkpoint that is not running (after the server was ended). */
export async function restoreFromNewestGood(ctx: Context): Promise<string> {
  const { checkpointId, result } = await restoreNewestGood(ctx);
  return `restored ${result.restored.map((x) => x.name).join(', ') || 'nothing'} from checkpoint ${checkpointId}`;
}

/** True when another probe could change the verdict (one timeout, a writer blocked once). */
function unproven(obs: Observation): boolean {
  if (obs.server.answer === 'timeout' && obs.server.process?.state !== 'T' && obs.server.timeoutsInARow < 2) return true;
  if (obs.server.answer === 'refused' && obs.server.timeoutsInARow < 2) return true;
  return obs.panes.some((p) => (p.blockedWriter && p.blockedWriter.rounds < 2) || (p.notReading && p.notReading.rounds < 2));
}

/** Observe, probing again while something is unproven. */
async function observe(prober: Prober): Promise<Observation> {
  let obs = await prober.round();
  for (let i = 0; i < UNFREEZE.confirmRounds && unproven(obs); i++) {
    await sleep(UNFREEZE.confirmDelayMs);
    obs = await prober.round();
  }
  return obs;
}

/** Newest valid checkpoint per session name (to know the sessions of a server that does not answer). */
async function savedSessions(ctx: Context): Promise<Map<string, SavedSession>> {
  const out = new Map<string, SavedSession>();
  const listed = await (await ctx.store()).list();
  if (!listed.ok) return out;
  for (const e of listed.value) {
    if (!e.valid || !e.meaningful) continue;
    for (const n of e.sessions) if (!out.has(n)) out.set(n, { checkpointId: e.id, createdAt: e.createdAt, record: null });
  }
  return out;
}

/** The verdicts to repair: the named one, or every frozen one (a frozen server once). */
function targets(report: HealthReport, name: string | undefined, ctx: Context): SessionVerdict[] {
  if (name !== undefined) {
    const v = report.sessions.find((s) => s.session === name);
    if (v) return [v];
    if (report.server.cause) return [serverVerdict(report, name)];
    const known = report.sessions.map((s) => s.session).join(', ') || 'none';
    throw new UserError(`Expected a session of tmux server ${ctx.server.label}, got ${JSON.stringify(name)} (known: ${known})`, EXIT.usage);
  }
  const frozen = report.sessions.filter((s) => s.health === 'frozen');
  const paneLevel = frozen.filter((s) => !s.causes.some((c) => c.kind === 'server-stopped' || c.kind === 'server-hung'));
  if (report.server.cause) return [serverVerdict(report, frozen.map((s) => s.session).join(', ') || 'the server'), ...paneLevel];
  return frozen;
}

/** One verdict standing for the whole server. */
function serverVerdict(report: HealthReport, label: string): SessionVerdict {
  return { session: label, health: 'frozen', live: true, evidence: report.server.evidence, causes: report.server.cause ? [report.server.cause] : [], liveSession: null, attachedClients: null, saved: null };
}

/** The plan as text. */
function planText(v: SessionVerdict, plan: RepairPlan, yes: boolean): string[] {
  const out = [`${visible(v.session)}: ${v.health}`];
  for (const e of v.evidence) out.push(`  ${e.probe}: ${visible(e.saw)}`);
  plan.steps.forEach((s, i) => out.push(`  ${i + 1}. ${s.title}${s.destructive ? (yes ? ' [destructive]' : ' [destructive: needs --yes]') : ''}`));
  for (const k of plan.skipped) out.push(`  skipped: ${k.title} — ${k.why}`);
  return out;
}

const EVENT_WORD = { start: '…', healed: 'healed:', 'not-healed': 'still frozen:', failed: 'failed:', declined: 'not run:', skipped: 'skipped:' } as const;

export async function run(ctx: Context, v: Record<string, unknown>, args: string[]): Promise<number> {
  if (args.length > 1) throw new UserError(`Expected at most one session name, got ${args.length}; see tsession unfreeze --help`, EXIT.usage);
  const dryRun = v['dry-run'] === true;
  const yes = v.yes === true;
  const prober = createProber(ctx.server, { env: ctx.env });
  const [obs, saved] = await Promise.all([observe(prober), savedSessions(ctx)]);
  const report = classify(obs, saved);
  if (obs.server.answer === 'error') throw new UserError(obs.server.message ?? `tmux server ${ctx.server.label} cannot be asked`, EXIT.tmux);
  const chosen = targets(report, args[0], ctx).filter((t) => t.health === 'frozen');
  const serverSessions = report.sessions.filter((s) => s.live).map((s) => s.session);
  const plans = chosen.map((t) => ({ verdict: t, plan: planRepair(t, { paneCwd: (id) => obs.panes.find((p) => p.paneId === id)?.shellCwd ?? null, serverSessions }) }));
  const lines: string[] = [];
  const print = (l: string) => {
    if (!ctx.opts.json) process.stdout.write(`${l}\n`);
    lines.push(l);
  };
  // A stopped server may leave a probe's pipe open: once done, never let it keep us alive.
  const exitSoon = <T>(code: T): T => {
    setTimeout(() => process.exit(), 100).unref();
    return code;
  };

  if (plans.length === 0) {
    const name = args[0];
    const summary = name
      ? `${name} is not frozen (${report.sessions.find((s) => s.session === name)?.health ?? 'unknown'})`
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
    const journaled: Omit<JournalEntry, 'at'>[] = [
      { kind: 'detected', what: 'session-frozen', cause: 'tsession unfreeze (by hand)', detail: verdict.session, evidence: verdict.evidence.map((e) => `${e.probe}: ${e.saw}`) },
    ];
    const outcome = await executeRepair(plan, {
      server: ctx.server,
      env: ctx.env,
      observe: () => prober.round(),
      confirm: async () => yes,
      restore: () => restoreFromNewestGood(ctx),
      onEvent: (e) => {
        events.push(e);
        const entry = repairEntry('tsession unfreeze (by hand)', verdict.session, e);
        if (entry) journaled.push(entry);
        if (e.phase === 'start') print(`… ${e.step.title}`);
        else if (e.phase === 'declined') print(`✗ not run: ${e.step.title} — destructive; run again with --yes to allow it`);
        else print(`${e.phase === 'healed' ? '✓' : e.phase === 'failed' ? '✗' : '·'} ${EVENT_WORD[e.phase]} ${e.detail} (${e.ms} ms)`);
      },
    });
    print(outcome.summary);
    await journalActions(ctx.storeDir, journaled, ctx.warn);
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
