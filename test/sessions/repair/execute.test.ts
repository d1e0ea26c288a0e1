/**
 * The repair executor against real frozen states on an isolated server: each
 * rung is checked before the next, destructive rungs wait for a yes, and a
 * server that stays stopped is ended and its sessions restored.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classify } from '../../../sessions/health/classify.js';
import { createProber } from '../../../sessions/health/probes.js';
import { readStat } from '../../../sessions/proc/facts.js';
import { executeRepair, type RepairEvent } from '../../../sessions/repair/execute.js';
import { planRepair, type RepairStep } from '../../../sessions/repair/plan.js';
import { resolveServer, type ServerSpec } from '../../../sessions/tmux/server.js';
import { stopAJob as stopAFrozenJob } from '../../helpers/frozen-job.js';
import { createTestServer, waitFor, type TestServer } from '../../helpers/tmux-server.js';
import { continuePid, killServer } from '../../helpers/teardown.js';

let ts: TestServer;
let spec: ServerSpec;
const stopped: number[] = [];

beforeEach(async () => {
  ts = createTestServer();
  spec = resolveServer({ socketName: ts.name }, ts.env, process.getuid!());
  ts.tmux('new-session', '-d', '-s', 'work', '-x', '100', '-y', '30');
  await waitFor(() => ts.tmux('display', '-p', '-t', 'work', '#{cursor_x}').trim() !== '0', 10_000, 'the shell prompt');
});

afterEach(async () => {
  for (const pid of stopped.splice(0)) continuePid(pid);
  await killServer(ts);
});

const stopAJob = async (): Promise<number> => (await stopAFrozenJob(ts, stopped)).sleep;

function repairDeps(confirmWith: (s: RepairStep) => boolean, events: RepairEvent[], restored: string[][] = []) {
  const prober = createProber(spec, { env: ts.env, timeoutMs: 500 });
  return {
    prober,
    deps: {
      server: spec,
      env: ts.env,
      observe: () => prober.round(),
      confirm: async (s: RepairStep) => confirmWith(s),
      restore: async (sessions: readonly string[]) => {
        restored.push([...sessions]);
        ts.tmux('new-session', '-d', '-s', 'work');
        return 'restored work';
      },
      onEvent: (e: RepairEvent) => {
        events.push(e);
      },
      timing: { checkMs: 1_500, serverExitMs: 1_000 },
    },
  };
}

async function frozenVerdict(prober: ReturnType<typeof createProber>) {
  return waitFor(async () => {
    const v = classify(await prober.round(), new Map()).sessions.find((s) => s.session === 'work');
    return v?.health === 'frozen' ? v : null;
  }, 10_000, 'a frozen verdict');
}

describe('executeRepair', () => {
  it('a stopped job heals with SIGCONT alone; no destructive step is asked', async () => {
    const sleep = await stopAJob();
    const events: RepairEvent[] = [];
    const asked: string[] = [];
    const { prober, deps } = repairDeps((s) => (asked.push(s.title), false), events);
    const v = await frozenVerdict(prober);
    const out = await executeRepair(planRepair(v, { paneCwd: () => null, serverSessions: ['work'] }), deps);
    expect(out.healed).toBe(true);
    expect(asked).toEqual([]);
    expect(events.map((e) => `${e.step.action.kind}:${e.phase}`)).toEqual(['resume-job:start', 'resume-job:healed']);
    expect(readStat(sleep)?.state).toBe('S');
    // Panes by name, not tmux id.
    expect(out.summary).toMatch(/work: pane work:0\.0 is healthy again after: Resume the stopped job in work:0\.0 /);
  });

  it('XOFF heals with C-q when the tty has ixon', async () => {
    ts.tmux('send-keys', '-t', 'work', "stty ixon; sh -c 'while :; do echo tick; sleep 0.05; done'", 'Enter');
    await waitFor(() => ts.tmux('capture-pane', '-p', '-t', 'work').includes('tick'), 10_000, 'ticks');
    ts.tmux('send-keys', '-t', 'work', 'C-s');
    const events: RepairEvent[] = [];
    const { prober, deps } = repairDeps(() => false, events);
    const v = await frozenVerdict(prober);
    expect(v.causes[0]?.kind).toBe('output-held');
    const out = await executeRepair(planRepair(v, { paneCwd: () => null, serverSessions: ['work'] }), deps);
    expect(out.healed).toBe(true);
    expect(events.map((e) => `${e.step.action.kind}:${e.phase}`)).toEqual(['release-xoff:start', 'release-xoff:healed']);
    ts.tmux('send-keys', '-t', 'work', 'C-c');
  });

  it('a job that ignores SIGCONT climbs to SIGINT only after a yes; a no stops the ladder', async () => {
    // Not reading: sleep ignores the keys typed at it; only an interrupt helps.
    ts.tmux('send-keys', '-t', 'work', 'sleep 1000', 'Enter');
    await waitFor(() => ts.tmux('display', '-p', '-t', 'work', '#{pane_current_command}').trim() === 'sleep', 10_000, 'sleep');
    ts.tmux('send-keys', '-t', 'work', '-l', 'typed');
    ts.tmux('send-keys', '-t', 'work', 'Enter');
    const events: RepairEvent[] = [];
    const prober = createProber(spec, { env: ts.env, timeoutMs: 500, notReadingAfterMs: 0 });
    const v = await frozenVerdict(prober);
    const plan = planRepair(v, { paneCwd: () => null, serverSessions: ['work'] });
    const base = repairDeps(() => false, events).deps;
    const no = await executeRepair(plan, { ...base, observe: () => prober.round() });
    expect(no).toMatchObject({ healed: false, declined: true });
    expect(events.map((e) => `${e.step.action.kind}:${e.phase}`)).toEqual(['interrupt:declined']);
    events.length = 0;
    const yes = await executeRepair(plan, { ...base, confirm: async () => true, observe: () => prober.round() });
    expect(yes.healed).toBe(true);
    expect(events.map((e) => `${e.step.action.kind}:${e.phase}`)).toEqual(['interrupt:start', 'interrupt:healed']);
  });

  it('a stopped server heals with SIGCONT', async () => {
    const pid = Number(ts.tmux('display', '-p', '#{pid}').trim());
    const events: RepairEvent[] = [];
    const { prober, deps } = repairDeps(() => false, events);
    await prober.round(); // the layout seen before the freeze names its sessions
    process.kill(pid, 'SIGSTOP');
    stopped.push(pid);
    const v = await frozenVerdict(prober);
    expect(v.causes).toEqual([{ kind: 'server-stopped', pid }]);
    const out = await executeRepair(planRepair(v, { paneCwd: () => null, serverSessions: ['work'] }), deps);
    expect(out.healed).toBe(true);
    expect(events.map((e) => `${e.step.action.kind}:${e.phase}`)).toEqual(['resume-server:start', 'resume-server:healed']);
  });

  it('a server that stays stopped is ended (after a yes) and its sessions restored', async () => {
    const pid = Number(ts.tmux('display', '-p', '#{pid}').trim());
    const events: RepairEvent[] = [];
    const restored: string[][] = [];
    const { prober, deps } = repairDeps((s) => s.action.kind === 'restart-server', events, restored);
    await prober.round();
    process.kill(pid, 'SIGSTOP');
    stopped.push(pid);
    const v = await frozenVerdict(prober);
    // Swallow the SIGCONT meant for the server, as if something kept stopping it.
    const signal = (p: number, sig: NodeJS.Signals) => {
      if (!(p === pid && sig === 'SIGCONT')) process.kill(p, sig);
    };
    const out = await executeRepair(planRepair(v, { paneCwd: () => null, serverSessions: ['work'] }), { ...deps, signal });
    expect(events.map((e) => `${e.step.action.kind}:${e.phase}`)).toEqual([
      'resume-server:start',
      'resume-server:not-healed',
      'restart-server:start',
      'restart-server:healed',
    ]);
    expect(out.healed).toBe(true);
    expect(restored).toEqual([['work']]);
    expect(readStat(pid) === null || readStat(pid)?.state === 'Z').toBe(true);
    expect(ts.tmux('list-sessions', '-F', '#{session_name}').trim()).toBe('work');
  });
});
