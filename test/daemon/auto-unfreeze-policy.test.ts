/** Auto-unfreeze's pure parts: which sessions the policy covers, the freeze clock, and the gentle cut of a plan. */
import { describe, expect, it } from 'vitest';
import { autoUnfreezePolicy, FreezeTimer } from '../../src/daemon/auto-unfreeze.js';
import { DEFAULT_WATCH_CONFIG } from '../../src/ops/config.js';
import { gentleRungs, planRepair } from '../../sessions/repair/plan.js';
import type { SessionVerdict } from '../../sessions/health/classify.js';

describe('autoUnfreezePolicy', () => {
  it('off unless the flag or the config says so; the flag covers every session and its wait wins', () => {
    expect(autoUnfreezePolicy(false, null, DEFAULT_WATCH_CONFIG)).toBeNull();
    expect(autoUnfreezePolicy(false, null, { ...DEFAULT_WATCH_CONFIG, autoUnfreeze: [] })).toBeNull();
    const all = autoUnfreezePolicy(true, 5_000, { ...DEFAULT_WATCH_CONFIG, autoUnfreeze: ['api'] })!;
    expect([all.covers('db'), all.coversServer([]), all.afterMs]).toEqual([true, true, 5_000]);
  });

  it('a list covers its sessions, and the server only when it is known to hold one of them', () => {
    const some = autoUnfreezePolicy(false, null, { ...DEFAULT_WATCH_CONFIG, autoUnfreeze: ['api'], autoUnfreezeAfterMs: 2_000 })!;
    expect([some.covers('api'), some.covers('db'), some.afterMs]).toEqual([true, false, 2_000]);
    expect([some.coversServer(['db', 'api']), some.coversServer(['db']), some.coversServer([])]).toEqual([true, false, false]);
  });
});

describe('FreezeTimer', () => {
  it('is due once the freeze lasted the wait, once per freeze; a freeze that ends starts over', () => {
    const t = new FreezeTimer();
    t.seen(['%1'], 0, true, 'server');
    expect(t.due('%1', 999, 1_000)).toBe(false);
    t.seen(['%1'], 1_000, true, 'server');
    expect(t.due('%1', 1_000, 1_000)).toBe(true);
    t.tried('%1');
    expect(t.due('%1', 5_000, 1_000)).toBe(false);
    t.seen([], 6_000, true, 'server');
    t.seen(['%1'], 7_000, true, 'server');
    expect([t.due('%1', 7_500, 1_000), t.due('%1', 8_000, 1_000), t.frozenFor('%1', 8_000)]).toEqual([false, true, 1_000]);
  });

  it('a round that saw no pane keeps the panes\' clocks (only the server\'s state is known then)', () => {
    const t = new FreezeTimer();
    t.seen(['%1', 'server'], 0, true, 'server');
    t.seen([], 2_000, false, 'server');
    expect([t.due('%1', 2_000, 1_000), t.due('server', 2_000, 1_000)]).toEqual([true, false]);
  });
});

describe('gentleRungs', () => {
  const verdict = (causes: SessionVerdict['causes']): SessionVerdict => ({ session: 'work', health: 'frozen', live: true, evidence: [], causes, liveSession: null, attachedClients: null, saved: null });
  const facts = { paneCwd: () => null, serverSessions: ['work'] };

  it('keeps resume and release for the targets asked, and names the destructive rungs it withheld', () => {
    const plan = planRepair(verdict([{ kind: 'job-stopped', paneId: '%1', pgid: 9, pids: [9] }, { kind: 'output-held', paneId: '%2', tty: '/dev/pts/2', pid: 7, pgid: 7, ixon: true }]), facts);
    const cut = gentleRungs(plan, new Set(['%1', '%2']));
    expect(cut.plan.steps.map((s) => `${s.target}:${s.action.kind}`)).toEqual(['%1:resume-job', '%2:release-xoff']);
    expect(cut.withheld.get('%1')?.map((s) => s.action.kind)).toEqual(['interrupt', 'terminate', 'respawn-pane']);
    expect(gentleRungs(plan, new Set(['%2'])).plan.steps.map((s) => s.target)).toEqual(['%2']);
  });

  it('a hung server or held output without ixon has no gentle rung', () => {
    expect(gentleRungs(planRepair(verdict([{ kind: 'server-hung', pid: 5 }]), facts), new Set(['server'])).plan.steps).toEqual([]);
    const noIxon = planRepair(verdict([{ kind: 'output-held', paneId: '%2', tty: '/dev/pts/2', pid: 7, pgid: 7, ixon: false }]), facts);
    expect(gentleRungs(noIxon, new Set(['%2'])).plan.steps).toEqual([]);
  });
});
