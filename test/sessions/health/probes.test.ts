/**
 * Probes and classifier against real frozen states on an isolated tmux
 * server: a stopped foreground job, a writer held by XOFF, a pane ignoring
 * typed input, a SIGSTOPped server, a missing server.
 */
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classify, type Observation } from '../../../sessions/health/classify.js';
import { createProber, findServerPid, readProcFacts, ttyHasIxon, ttyQueuedInput } from '../../../sessions/health/probes.js';
import { readStat } from '../../../sessions/proc/facts.js';
import { resolveServer, type ServerSpec } from '../../../sessions/tmux/server.js';
import { createTestServer, waitFor, type TestServer } from '../../helpers/tmux-server.js';
import { continuePid, killServer } from '../../helpers/teardown.js';

let ts: TestServer;
let spec: ServerSpec;
let stoppedServer: number | null = null;

beforeEach(() => {
  ts = createTestServer();
  spec = resolveServer({ socketName: ts.name }, ts.env, process.getuid!());
  ts.tmux('new-session', '-d', '-s', 'work', '-x', '100', '-y', '30');
});

afterEach(async () => {
  // A stopped server never exits: continue it first, always.
  continuePid(stoppedServer);
  stoppedServer = null;
  await killServer(ts);
});

const paneOf = (target: string) => ts.tmux('display', '-p', '-t', target, '#{pane_id} #{pane_pid} #{pane_tty}').trim().split(' ');

/** Children of `ppid` (from /proc). */
function childrenOf(ppid: number): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => readStat(pid)?.ppid === ppid);
}

async function shellReady(target: string) {
  await waitFor(() => ts.tmux('display', '-p', '-t', target, '#{cursor_x}').trim() !== '0', 10_000, 'the shell prompt');
}

const prober = (extra: Parameters<typeof createProber>[1] = {}) => createProber(spec, { env: ts.env, timeoutMs: 800, ...extra });

describe('probes on a real server', () => {
  it('a healthy idle session: answered, no causes, detached (no client)', async () => {
    await shellReady('work');
    const obs = await prober().round();
    expect(obs.server.answer).toBe('answered');
    expect(obs.server.process?.comm).toBe('tmux: server');
    expect(obs.panes).toHaveLength(1);
    const report = classify(obs, new Map());
    expect(report.server.state).toBe('answering');
    expect(report.sessions[0]).toMatchObject({ session: 'work', health: 'healthy', attachedClients: 0 });
  });

  it('a SIGSTOPped foreground job is frozen with the stopped pid as evidence', async () => {
    await shellReady('work');
    ts.tmux('send-keys', '-t', 'work', "sh -c 'echo PID=$$; sleep 1000; true'", 'Enter');
    const shPid = Number(await waitFor(() => /PID=(\d+)/.exec(ts.tmux('capture-pane', '-p', '-t', 'work'))?.[1], 10_000, 'PID line'));
    const sleepPid = await waitFor(() => childrenOf(shPid).find((p) => readStat(p)?.comm === 'sleep'), 10_000, 'sleep child');
    process.kill(sleepPid, 'SIGSTOP');
    await waitFor(() => readStat(sleepPid)?.state === 'T', 5_000, 'state T');
    const obs = await prober().round();
    const pane = obs.panes[0]!;
    expect(pane.stopped.map((s) => s.pid)).toContain(sleepPid);
    const v = classify(obs, new Map()).sessions[0]!;
    expect(v.health).toBe('frozen');
    expect(v.causes[0]).toMatchObject({ kind: 'job-stopped', paneId: pane.paneId, pgid: pane.fgPgid });
    expect(v.evidence.map((e) => e.saw).join('\n')).toMatch(new RegExp(`pid ${sleepPid} \\(sleep\\) of the foreground job \\(process group \\d+\\) is stopped: state T \\(stopped\\)`));
    process.kill(sleepPid, 'SIGKILL');
  });

  it('a writer held by XOFF is frozen after two probes, with ixon as evidence', async () => {
    await shellReady('work');
    ts.tmux('send-keys', '-t', 'work', "stty ixon; sh -c 'while :; do echo tick; sleep 0.05; done'", 'Enter');
    await waitFor(() => ts.tmux('capture-pane', '-p', '-t', 'work').includes('tick'), 10_000, 'ticks');
    ts.tmux('send-keys', '-t', 'work', 'C-s');
    const p = prober();
    const [paneId, , tty] = paneOf('work');
    expect(await ttyHasIxon(tty!)).toBe(true);
    let obs: Observation | undefined;
    await waitFor(async () => {
      obs = await p.round();
      return (obs.panes[0]?.blockedWriter?.rounds ?? 0) >= 2;
    }, 10_000, 'a writer blocked two probes in a row');
    const w = obs!.panes[0]!.blockedWriter!;
    expect(w.proc.comm).toBe('sh');
    expect(w.ixon).toBe(true);
    const v = classify(obs!, new Map()).sessions[0]!;
    expect(v.health).toBe('frozen');
    expect(v.causes[0]).toMatchObject({ kind: 'output-held', paneId, ixon: true });
    expect(v.evidence.map((e) => e.saw).join('\n')).toMatch(/blocked writing to \/dev\/pts\/\d+ for \d+ probes using no CPU \(state S, wchan wait_woken, syscall 1\)\n.*has ixon: output is held by flow control/);
    ts.tmux('send-keys', '-t', 'work', 'C-q', 'C-c');
  });

  it('a busy writer that makes progress is not held', async () => {
    await shellReady('work');
    ts.tmux('send-keys', '-t', 'work', "sh -c 'while :; do echo tick; sleep 0.01; done'", 'Enter');
    await waitFor(() => ts.tmux('capture-pane', '-p', '-t', 'work').includes('tick'), 10_000, 'ticks');
    const p = prober();
    for (let i = 0; i < 4; i++) {
      const v = classify(await p.round(), new Map()).sessions[0]!;
      expect(v.health).not.toBe('frozen');
    }
    ts.tmux('send-keys', '-t', 'work', 'C-c');
  });

  it('a pane ignoring typed input is frozen as not reading (threshold lowered)', async () => {
    await shellReady('work');
    ts.tmux('send-keys', '-t', 'work', 'sleep 1000', 'Enter');
    const [, panePid, tty] = paneOf('work');
    await waitFor(() => childrenOf(Number(panePid)).some((c) => readStat(c)?.comm === 'sleep'), 10_000, 'sleep running');
    ts.tmux('send-keys', '-t', 'work', '-l', 'hello');
    ts.tmux('send-keys', '-t', 'work', 'Enter');
    await waitFor(async () => ((await ttyQueuedInput(tty!)) ?? 0) > 0, 5_000, 'queued input');
    const p = prober({ notReadingAfterMs: 0 });
    await p.round();
    const v = classify(await p.round(), new Map()).sessions[0]!;
    expect(v.health).toBe('frozen');
    expect(v.causes[0]).toMatchObject({ kind: 'not-reading' });
    expect(v.evidence[0]!.saw).toMatch(/6 bytes of input waiting unread/);
    ts.tmux('send-keys', '-t', 'work', 'C-c');
  });

  it('a SIGSTOPped server: the round trip times out and /proc shows state T', async () => {
    const pid = Number(ts.tmux('display', '-p', '#{pid}').trim());
    expect(await findServerPid(spec.socketPath)).toBe(pid);
    process.kill(pid, 'SIGSTOP');
    stoppedServer = pid;
    const p = prober({ timeoutMs: 400 });
    const t0 = performance.now();
    const obs = await p.round();
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(obs.server.answer).toBe('timeout');
    expect(obs.server.process).toMatchObject({ pid, state: 'T' });
    const report = classify(obs, new Map());
    expect(report.server.state).toBe('frozen');
    expect(report.server.cause).toEqual({ kind: 'server-stopped', pid });
    expect(report.server.evidence.map((e) => e.saw).join('\n')).toMatch(/no answer within 400 ms[\s\S]*state T \(stopped\)/);
  });

  it('finds a stopped server from /proc alone (no pid remembered)', async () => {
    const pid = Number(ts.tmux('display', '-p', '#{pid}').trim());
    process.kill(pid, 'SIGSTOP');
    stoppedServer = pid;
    expect(await findServerPid(spec.socketPath)).toBe(pid);
    // A signal takes effect when the process is next scheduled: on a busy machine, a moment later.
    await waitFor(() => readProcFacts(pid)?.state === 'T', 2_000, 'the server to show as stopped');
  });

  it('no server: absent, and checkpointed sessions are crashed', async () => {
    ts.tmux('kill-server');
    const p = prober();
    // For a moment an exiting server "exited unexpectedly" (refused).
    const obs = await waitFor(async () => {
      const o = await p.round();
      return o.server.answer === 'no-server' ? o : null;
    }, 5_000, 'no server');
    const report = classify(obs, new Map([['work', { checkpointId: 'c1', createdAt: new Date().toISOString(), record: null }]]));
    expect(report.server.state).toBe('absent');
    expect(report.sessions[0]).toMatchObject({ session: 'work', health: 'crashed', live: false });
  });
});
