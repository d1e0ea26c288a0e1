/** The repair ladder planner, pure: order, destructive marks, XON only with ixon. */
import { describe, expect, it } from 'vitest';
import type { FrozenCause, SessionVerdict } from '../../../sessions/health/classify.js';
import { DESTRUCTIVE, planRepair, SERVER_TARGET } from '../../../sessions/repair/plan.js';

const verdict = (causes: FrozenCause[]): SessionVerdict => ({
  session: 'api',
  health: causes.length ? 'frozen' : 'healthy',
  live: true,
  evidence: [],
  causes,
  liveSession: null,
  attachedClients: null,
  saved: null,
});
const facts = { paneCwd: (id: string) => (id === '%1' ? '/srv/api' : null), serverSessions: ['api', 'db'] };
const kinds = (v: SessionVerdict) => planRepair(v, facts).steps.map((s) => `${s.target}:${s.action.kind}${s.destructive ? '!' : ''}`);

describe('planRepair', () => {
  it('nothing to do for a session that is not frozen', () => {
    expect(planRepair(verdict([]), facts)).toEqual({ session: 'api', steps: [], skipped: [] });
  });

  it('stopped job: SIGCONT, then (asking) SIGINT, SIGTERM, respawn in the shell cwd', () => {
    const plan = planRepair(verdict([{ kind: 'job-stopped', paneId: '%1', pgid: 900, pids: [901] }]), facts);
    expect(plan.steps.map((s) => `${s.action.kind}${s.destructive ? '!' : ''}`)).toEqual(['resume-job', 'interrupt!', 'terminate!', 'respawn-pane!']);
    expect(plan.steps[0]!.title).toBe('Resume the stopped job in %1 (SIGCONT to process group 900)');
    expect(plan.steps[3]!.action).toEqual({ kind: 'respawn-pane', paneId: '%1', cwd: '/srv/api' });
    expect(plan.steps[3]!.title).toMatch(/respawn-pane -k, in \/srv\/api/);
  });

  it('held output with ixon: XON first', () => {
    expect(kinds(verdict([{ kind: 'output-held', paneId: '%2', tty: '/dev/pts/3', pid: 7, pgid: 7, ixon: true }]))).toEqual([
      '%2:release-xoff',
      '%2:interrupt!',
      '%2:terminate!',
      '%2:respawn-pane!',
    ]);
  });

  it('held output without ixon: no XON (a raw-mode program would get a stray key), and it says why', () => {
    const plan = planRepair(verdict([{ kind: 'output-held', paneId: '%2', tty: '/dev/pts/3', pid: 7, pgid: 7, ixon: false }]), facts);
    expect(plan.steps.map((s) => s.action.kind)).not.toContain('release-xoff');
    expect(plan.skipped).toEqual([{ target: '%2', title: 'Release flow control in %2 (XON: send-keys C-q)', why: '/dev/pts/3 has no ixon, so C-q would be a stray key' }]);
    const unknown = planRepair(verdict([{ kind: 'output-held', paneId: '%2', tty: '/dev/pts/3', pid: 7, pgid: 7, ixon: null }]), facts);
    expect(unknown.skipped[0]!.why).toMatch(/unknown/);
  });

  it('the shell itself held (no job): straight to respawn', () => {
    expect(kinds(verdict([{ kind: 'output-held', paneId: '%3', tty: '/dev/pts/4', pid: 7, pgid: null, ixon: false }]))).toEqual(['%3:respawn-pane!']);
  });

  it('not reading: interrupt, terminate, respawn', () => {
    expect(kinds(verdict([{ kind: 'not-reading', paneId: '%1', tty: '/dev/pts/1', pgid: 50 }]))).toEqual(['%1:interrupt!', '%1:terminate!', '%1:respawn-pane!']);
  });

  it('stopped server: SIGCONT, then end it and restore its sessions', () => {
    const plan = planRepair(verdict([{ kind: 'server-stopped', pid: 4242 }]), facts);
    expect(plan.steps.map((s) => `${s.target}:${s.action.kind}${s.destructive ? '!' : ''}`)).toEqual([`${SERVER_TARGET}:resume-server`, `${SERVER_TARGET}:restart-server!`]);
    expect(plan.steps[1]!.title).toBe('End the tmux server (pid 4242) and restore api, db from the newest good checkpoint');
  });

  it('hung server: only ending it helps', () => {
    expect(kinds(verdict([{ kind: 'server-hung', pid: null }]))).toEqual([`${SERVER_TARGET}:restart-server!`]);
  });

  it('two causes in one pane share the escalation rungs, gentlest first', () => {
    expect(
      kinds(
        verdict([
          { kind: 'output-held', paneId: '%1', tty: '/dev/pts/1', pid: 8, pgid: 900, ixon: true },
          { kind: 'job-stopped', paneId: '%1', pgid: 900, pids: [901] },
        ]),
      ),
    ).toEqual(['%1:resume-job', '%1:release-xoff', '%1:interrupt!', '%1:terminate!', '%1:respawn-pane!']);
  });

  it('only resuming and releasing are non-destructive', () => {
    expect(Object.entries(DESTRUCTIVE).filter(([, d]) => !d).map(([k]) => k)).toEqual(['resume-server', 'resume-job', 'release-xoff']);
  });
});
