/** The health classifier, pure: each verdict with its evidence, and what is not a freeze. */
import { describe, expect, it } from 'vitest';
import { classify, classifyServer, HEALTH_RULES } from '../../../sessions/health/classify.js';
import { liveServer, liveSession, observation, paneFacts, proc, recordOf, saved, serverFacts } from '../../tui/helpers/fixtures.js';

const texts = (ev: readonly { saw: string }[]) => ev.map((e) => e.saw).join('\n');

describe('server verdict', () => {
  it('answering with the round trip time', () => {
    const v = classifyServer(serverFacts({ ms: 4.4 }));
    expect(v.state).toBe('answering');
    expect(texts(v.evidence)).toMatch(/answered in 4 ms/);
  });

  it('one timeout without /proc proof is slow, not frozen', () => {
    const v = classifyServer(serverFacts({ answer: 'timeout', timeoutsInARow: 1, ms: 1500 }));
    expect(v.state).toBe('slow');
    expect(v.cause).toBeNull();
    expect(texts(v.evidence)).toMatch(/not a freeze/);
  });

  it('a timeout with the server in state T is frozen at once (stopped)', () => {
    const v = classifyServer(
      serverFacts({ answer: 'timeout', timeoutsInARow: 1, process: proc(4242, 'tmux: server', 'T', { wchan: 'do_signal_stop' }) }),
    );
    expect(v.state).toBe('frozen');
    expect(v.cause).toEqual({ kind: 'server-stopped', pid: 4242 });
    expect(texts(v.evidence)).toMatch(/pid 4242 \(tmux: server\): state T \(stopped\), wchan do_signal_stop/);
  });

  it(`${HEALTH_RULES.hungAfterTimeouts} timeouts in a row are frozen (hung), with the process state`, () => {
    const v = classifyServer(serverFacts({ answer: 'timeout', timeoutsInARow: 2, process: proc(4242, 'tmux: server', 'R') }));
    expect(v.state).toBe('frozen');
    expect(v.cause).toEqual({ kind: 'server-hung', pid: 4242 });
    expect(texts(v.evidence)).toMatch(/2 probes in a row[\s\S]*state R/);
  });

  it('a server that refuses every command but lives is frozen (hung)', () => {
    const once = classifyServer(serverFacts({ answer: 'refused', message: 'server exited unexpectedly', timeoutsInARow: 1 }));
    expect(once.state).toBe('error');
    const v = classifyServer(serverFacts({ answer: 'refused', message: 'server exited unexpectedly', timeoutsInARow: 2 }));
    expect(v.cause?.kind).toBe('server-hung');
  });

  it('no server is absent; other failures are errors with tmux\'s words', () => {
    expect(classifyServer(serverFacts({ answer: 'no-server', process: null })).state).toBe('absent');
    const e = classifyServer(serverFacts({ answer: 'error', message: 'Cannot access: permission denied', process: null }));
    expect(e.state).toBe('error');
    expect(texts(e.evidence)).toMatch(/permission denied/);
  });
});

describe('session verdicts', () => {
  it('healthy: answers, attached, nothing vanished', () => {
    const s = liveSession('api', { edit: 2 });
    const r = classify(observation(liveServer([s])), new Map([['api', saved(recordOf(s))]]));
    expect(r.sessions).toHaveLength(1);
    expect(r.sessions[0]).toMatchObject({ session: 'api', health: 'healthy', live: true });
    expect(texts(r.sessions[0]!.evidence)).toMatch(/2 panes checked[\s\S]*1 client attached/);
  });

  it('no people attached is still healthy: attachment is its own field (control-mode clients do not count)', () => {
    const s = liveSession('api', { edit: 1 }, 1);
    const r = classify(observation(liveServer([s]), { clients: new Map() }), new Map());
    expect(r.sessions[0]).toMatchObject({ health: 'healthy', attachedClients: 0 });
    expect(texts(r.sessions[0]!.evidence)).toMatch(/no client attached/);
  });

  it('crashed: only a checkpoint remembers it, with the checkpoint as evidence', () => {
    const r = classify(observation(liveServer([])), new Map([['db', saved(null, 'c-1', '2026-11-24T09:55:00Z')]]));
    expect(r.sessions[0]).toMatchObject({ session: 'db', health: 'crashed', live: false });
    expect(texts(r.sessions[0]!.evidence)).toMatch(/not running on tmux server -L test\nnewest checkpoint c-1 \(5m ago\)/);
  });

  it('changed: a window and a pane vanished since the checkpoint', () => {
    const before = liveSession('api', { edit: 3, logs: 1 });
    const now = { ...before, windows: [{ ...before.windows[0]!, panes: before.windows[0]!.panes.slice(0, 2) }] };
    const r = classify(observation(liveServer([now])), new Map([['api', saved(recordOf(before))]]));
    expect(r.sessions[0]!.health).toBe('changed');
    expect(texts(r.sessions[0]!.evidence)).toMatch(/api:0 had 3 panes, now 2[\s\S]*window api:1 \("logs"\) vanished/);
  });

  it('a window the user added is not "changed"', () => {
    const before = liveSession('api', { edit: 1 });
    const now = liveSession('api', { edit: 1, more: 1 });
    const r = classify(observation(liveServer([now])), new Map([['api', saved(recordOf(before))]]));
    expect(r.sessions[0]!.health).toBe('healthy');
  });

  it('frozen: a stopped job in the foreground group', () => {
    const s = liveSession('api', { edit: 1 });
    const obs = observation(liveServer([s]));
    const p = s.windows[0]!.panes[0]!;
    const frozen = { ...obs, panes: [paneFacts('api', p, { fgPgid: 900, stopped: [proc(901, 'sleep', 'T')] })] };
    const v = classify(frozen, new Map()).sessions[0]!;
    expect(v.health).toBe('frozen');
    expect(v.causes).toEqual([{ kind: 'job-stopped', paneId: p.id, pgid: 900, pids: [901] }]);
    expect(texts(v.evidence)).toMatch(/pid 901 \(sleep\) of the foreground job \(process group 900\) is stopped: state T \(stopped\)/);
  });

  it('frozen: a writer held two probes with ixon; one probe is not enough', () => {
    const s = liveSession('api', { edit: 1 });
    const p = s.windows[0]!.panes[0]!;
    const writer = proc(77, 'yes', 'S', { wchan: 'wait_woken', syscall: 1 });
    const once = { ...observation(liveServer([s])), panes: [paneFacts('api', p, { blockedWriter: { proc: writer, rounds: 1, ixon: null } })] };
    expect(classify(once, new Map()).sessions[0]!.health).not.toBe('frozen');
    const twice = { ...once, panes: [paneFacts('api', p, { blockedWriter: { proc: writer, rounds: 2, ixon: true } })] };
    const v = classify(twice, new Map()).sessions[0]!;
    expect(v.health).toBe('frozen');
    expect(v.causes[0]).toMatchObject({ kind: 'output-held', ixon: true, pid: 77 });
    expect(texts(v.evidence)).toMatch(/pid 77 \(yes\) blocked writing to \/dev\/pts\/\d+ for 2 probes using no CPU \(state S, wchan wait_woken, syscall 1\)[\s\S]*has ixon: output is held by flow control/);
  });

  it('frozen: not reading needs queued input (a quiet sleep is fine)', () => {
    const s = liveSession('api', { edit: 1 });
    const p = s.windows[0]!.panes[0]!;
    const quiet = { ...observation(liveServer([s])), panes: [paneFacts('api', p, { notReading: { idleMs: 60_000, queuedBytes: 0, rounds: 3, states: 'sleep S' } })] };
    expect(classify(quiet, new Map()).sessions[0]!.health).not.toBe('frozen');
    const typed = { ...quiet, panes: [paneFacts('api', p, { notReading: { idleMs: 60_000, queuedBytes: 4, rounds: 2, states: 'sleep S' } })] };
    const v = classify(typed, new Map()).sessions[0]!;
    expect(v.health).toBe('frozen');
    expect(texts(v.evidence)).toMatch(/4 bytes of input waiting unread, no output for 1m/);
  });

  it('a frozen server freezes every session, including ones only checkpoints know', () => {
    const s = liveSession('api');
    const stopped = serverFacts({ answer: 'timeout', timeoutsInARow: 1, process: proc(4242, 'tmux: server', 'T') });
    const r = classify(observation(liveServer([s]), { server: stopped, liveIsFresh: false }), new Map([['db', saved(null)]]));
    expect(r.sessions.map((v) => [v.session, v.health])).toEqual([
      ['api', 'frozen'],
      ['db', 'crashed'],
    ]);
    const never = classify(observation(null, { server: stopped, liveIsFresh: false }), new Map([['db', saved(null)]]));
    expect(never.sessions[0]).toMatchObject({ session: 'db', health: 'frozen' });
    expect(never.sessions[0]!.causes).toEqual([{ kind: 'server-stopped', pid: 4242 }]);
  });

  it('a slow server keeps the last verdicts and says why', () => {
    const s = liveSession('api');
    const slow = serverFacts({ answer: 'timeout', timeoutsInARow: 1 });
    const v = classify(observation(liveServer([s]), { server: slow, liveIsFresh: false }), new Map()).sessions[0]!;
    expect(v.health).toBe('healthy');
    expect(texts(v.evidence)).toMatch(/no answer within 1500 ms \(1 probe in a row\)/);
  });

  it('every verdict carries evidence', () => {
    const live = [liveSession('a'), liveSession('b', { x: 1 }, 0)];
    const r = classify(observation(liveServer(live)), new Map([['c', saved(null)]]));
    for (const v of r.sessions) expect(v.evidence.length).toBeGreaterThan(0);
  });
});
