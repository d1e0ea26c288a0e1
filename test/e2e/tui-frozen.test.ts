/**
 * Frozen sessions end to end: a job stopped with SIGSTOP, a pane held by
 * XOFF, and a SIGSTOPped server each show as frozen in `tsession` (running in
 * a pane of a second isolated server) with the right evidence, `u` brings
 * each back to healthy, and the interface answers keys while the server is
 * stopped. A stopped server is always continued in teardown.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStat } from '../../sessions/proc/facts.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { continuePid, killServer } from '../helpers/teardown.js';
import { requireBuild, sh, tuiPane } from '../tui/helpers/tui-pane.js';

let a: TestServer;
let b: TestServer;
let state: { path: string; cleanup(): void };
let tui: ReturnType<typeof tuiPane>;
const stopped: number[] = [];

/** A regex matching `text` word for word, across wrapped lines. */
const words = (text: string) => new RegExp(text.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('\\s+'));

const childrenOf = (ppid: number) =>
  readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => readStat(pid)?.ppid === ppid);

beforeAll(async () => {
  requireBuild();
  a = createTestServer();
  b = createTestServer();
  state = tempDir('tsession-e2e-frozen-');
  for (const s of ['job', 'xoff']) a.tmux('new-session', '-d', '-s', s, '-x', '100', '-y', '20');
  await waitFor(() => a.tmux('list-panes', '-a', '-F', '#{cursor_x}').split('\n').filter((l) => l && l !== '0').length >= 2, 20_000, 'two shells');
  for (const s of ['job', 'xoff']) b.tmux('new-session', '-d', '-s', `client-${s}`, '-x', '100', '-y', '20', `env -u TMUX tmux -L ${a.name} attach -t ${sh(s)}`);
  await waitFor(() => a.tmux('list-clients', '-F', '#{client_session}').trim().split('\n').length === 2, 10_000, 'two clients');
  tui = tuiPane(b);
  await tui.start(a, { TSESSION_STATE_DIR: state.path, TSESSION_TUI_REFRESH_MS: '400', TSESSION_PROBE_TIMEOUT_MS: '600' });
  await tui.waitScreen(/job\s+✓ healthy[\s\S]*xoff\s+✓ healthy/);
}, 60_000);

afterAll(async () => {
  for (const pid of stopped.splice(0)) continuePid(pid);
  await killServer(b);
  await killServer(a);
  state?.cleanup();
});

describe('frozen sessions in the interface', () => {
  it('a SIGSTOPped job: frozen with the stopped pid as evidence; u resumes it', async () => {
    a.tmux('send-keys', '-t', 'job', "sh -c 'echo PID=$$; sleep 1000; true'", 'Enter');
    const shPid = Number(await waitFor(() => /PID=(\d+)/.exec(a.tmux('capture-pane', '-p', '-t', 'job'))?.[1], 10_000, 'PID line'));
    const sleep = await waitFor(() => childrenOf(shPid).find((p) => readStat(p)?.comm === 'sleep'), 10_000, 'sleep');
    process.kill(sleep, 'SIGSTOP');
    stopped.push(sleep);
    await tui.waitScreen(/job\s+‖ frozen/);
    await tui.select('job');
    await tui.waitScreen(words(`pid ${sleep} (sleep) of the foreground job (process group ${shPid}) is stopped: state T (stopped)`));
    tui.press('u');
    await tui.waitScreen(/is healthy again after: Resume the stopped job/);
    await tui.waitScreen(/job\s+✓ healthy/);
    expect(readStat(sleep)?.state).toBe('S');
  });

  it('XOFF: frozen with the held writer and ixon as evidence; u sends XON', async () => {
    a.tmux('send-keys', '-t', 'xoff', "stty ixon; sh -c 'while :; do echo tick; sleep 0.05; done'", 'Enter');
    await waitFor(() => a.tmux('capture-pane', '-p', '-t', 'xoff').includes('tick'), 10_000, 'ticks');
    a.tmux('send-keys', '-t', 'xoff', 'C-s');
    await tui.waitScreen(/xoff\s+‖ frozen/);
    await tui.select('xoff');
    await tui.waitScreen(/\(sh\) blocked writing to \/dev\/pts\/\d+ for \d+ probes using no CPU/);
    await tui.waitScreen(words('has ixon: output is held by flow control (XOFF, Ctrl-S)'));
    tui.press('u');
    await tui.waitScreen(/is healthy again after: Release flow control/);
    await tui.waitScreen(/xoff\s+✓ healthy/);
    // The screen is all "tick" lines either way: scrolled-off history shows output flowing again.
    const history = () => Number(a.tmux('display', '-p', '-t', 'xoff', '#{history_size}').trim());
    const before = history();
    await waitFor(() => history() > before, 5_000, 'ticks again');
    a.tmux('send-keys', '-t', 'xoff', 'C-c');
  });

  it('a SIGSTOPped server: frozen with state T as evidence, keys still answered, u resumes it', async () => {
    const pid = Number(a.tmux('display', '-p', '#{pid}').trim());
    process.kill(pid, 'SIGSTOP');
    stopped.push(pid);
    await tui.waitScreen(/SERVER FROZEN/);
    await tui.select('job');
    await tui.waitScreen(words('server: no answer within 600 ms'));
    await tui.waitScreen(words(`proc: server pid ${pid} (tmux: server): state T (stopped), wchan do_signal_stop`));
    expect(tui.rowOf('job')).toMatch(/‖ frozen/);
    // The interface answers while every probe of the server times out.
    const t0 = Date.now();
    tui.press('?');
    await tui.waitScreen(/ Keys\n/);
    const helpMs = Date.now() - t0;
    tui.press('Escape');
    await tui.waitScreen(/SESSION\s+HEALTH/);
    expect(helpMs).toBeLessThan(2_000);
    tui.press('u');
    await tui.waitScreen(/the server is healthy again after: Resume the tmux server/);
    await tui.waitScreen(/job\s+✓ healthy[\s\S]*xoff\s+✓ healthy/);
    expect(readStat(pid)?.state).toBe('S');
    tui.press('q');
    await tui.waitScreen(/TSESSION-EXIT=0/);
  });
});
