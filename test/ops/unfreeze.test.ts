/**
 * The parts of the unfreeze op that decide without tmux: which verdicts to
 * repair, and how long an unproven observation is confirmed (an abort ends
 * the confirmation waits at once). The ladder itself is tested through the
 * CLI (test/sessions/repair-cli.test.ts) and the executor's own suites.
 */
import { describe, expect, it } from 'vitest';
import { classify, type Observation } from '../../sessions/health/classify.js';
import type { Prober } from '../../sessions/health/probes.js';
import { EXIT } from '../../src/exit-codes.js';
import { newestPerSession } from '../../src/ops/checkpoints.js';
import { frozenTargets, observe, planRepairs, UNFREEZE } from '../../src/ops/unfreeze.js';
import { UserError } from '../../src/user-error.js';
import { entry, liveServer, liveSession, observation, paneFacts, proc, serverFacts } from '../tui/helpers/fixtures.js';

/** One healthy session and one whose foreground job is stopped. */
function report() {
  const ok = liveSession('ok');
  const stuck = liveSession('stuck');
  const base = observation(liveServer([ok, stuck]));
  const pane = stuck.windows[0]!.panes[0]!;
  const obs: Observation = {
    ...base,
    panes: base.panes.map((p) => (p.paneId === pane.id ? paneFacts('stuck', pane, { fgPgid: 700, fgCommand: 'sleep 100', stopped: [proc(701, 'sleep', 'T')] }) : p)),
  };
  return { obs, report: classify(obs, new Map()) };
}

describe('frozenTargets', () => {
  it('every frozen session when none is named', () => {
    expect(frozenTargets(report().report, undefined, '-L test').map((v) => v.session)).toEqual(['stuck']);
  });

  it('a named session only when it is frozen', () => {
    const r = report().report;
    expect(frozenTargets(r, 'stuck', '-L test').map((v) => v.session)).toEqual(['stuck']);
    expect(frozenTargets(r, 'ok', '-L test')).toEqual([]);
  });

  it('an unknown name is a usage error naming the known ones', () => {
    const run = () => frozenTargets(report().report, 'nope', '-L test');
    expect(run).toThrow(UserError);
    expect(run).toThrow('Expected a session of tmux server -L test, got "nope" (known: ok, stuck)');
    try {
      run();
    } catch (e) {
      expect((e as UserError).exitCode).toBe(EXIT.usage);
    }
  });

  it('plans a ladder per target from the panes the examination saw', () => {
    const exam = report();
    const [planned] = planRepairs(exam, frozenTargets(exam.report, undefined, '-L test'));
    expect(planned!.verdict.session).toBe('stuck');
    expect(planned!.plan.steps[0]!.title).toMatch(/^Resume the stopped job/);
  });
});

describe('observe', () => {
  const slowServer = observation(null, { server: serverFacts({ answer: 'timeout', timeoutsInARow: 1, process: proc(4242, 'tmux: server', 'S') }) });
  const counting = (obs: Observation): Prober & { rounds: number } => {
    const p = { rounds: 0, round: async () => (p.rounds++, obs) };
    return p as unknown as Prober & { rounds: number };
  };

  it('probes again while one timeout proves nothing, up to confirmRounds more', async () => {
    const p = counting(slowServer);
    await observe(p);
    expect(p.rounds).toBe(1 + UNFREEZE.confirmRounds);
  });

  it('an abort ends the confirmation at once', async () => {
    const p = counting(slowServer);
    const stop = new AbortController();
    const t0 = performance.now();
    const done = observe(p, stop.signal);
    stop.abort();
    await done;
    expect(p.rounds).toBeLessThanOrEqual(2);
    expect(performance.now() - t0).toBeLessThan(UNFREEZE.confirmDelayMs);
  });

  it('one round when the first observation proves itself', async () => {
    const p = counting(observation(liveServer([liveSession('ok')])));
    await observe(p);
    expect(p.rounds).toBe(1);
  });
});

describe('newestPerSession', () => {
  it('the newest valid, meaningful checkpoint of each name', () => {
    const got = newestPerSession([
      entry('c3', '2026-11-24T10:00:00Z', ['a'], { valid: false }),
      entry('c2', '2026-11-24T09:00:00Z', ['a', 'b'], { meaningful: false }),
      entry('c1', '2026-11-24T08:00:00Z', ['a', 'b']),
    ]);
    expect([...got].map(([n, e]) => `${n}:${e.id}`)).toEqual(['a:c1', 'b:c1']);
  });
});
