/**
 * `tsession --watch` against real, isolated tmux servers: a change is
 * checkpointed within seconds, a SIGKILLed server is noticed at once (and
 * restored with --auto-restore), a kill-server is told apart from a crash,
 * one daemon per server, a server that is not up yet is waited for, and
 * SIGTERM leaves a final checkpoint, a released lock and exit 0.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readStat } from '../../sessions/proc/facts.js';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { createRefresher } from '../../src/tui/refresher.js';
import { runCli } from '../helpers/cli.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { journalOf as journal, journalUntil as until, startWatch, type Daemon } from '../helpers/watch-daemon.js';

// Daemons are registered after their server, so they stop first.
const afterTest = cleanupAfterEach();

function server(): TestServer {
  const s = createTestServer();
  afterTest(() => s.kill());
  return s;
}

/** Start `tsession -L <server> -f /dev/null --watch …args` as a child. */
const watch = (s: TestServer, ...args: string[]): Daemon => startWatch(s, afterTest, args);

const saves = (s: TestServer) => journal(s).then((es) => es.filter((e) => e.what === 'save' && e.result === 'ok'));

/** Window names of `session` in a checkpoint, from the plan of restoring it as a copy. */
async function windowsIn(s: TestServer, checkpointId: string, session: string): Promise<string[]> {
  const r = await runCli(s, ['restore', session, '--as', `${session}-copy`, '--from', checkpointId, '--dry-run', '--json']);
  const plan = JSON.parse(r.stdout) as { plan: { build: string[][] } };
  return plan.plan.build.filter((c) => c[0] === 'new-window' || c[0] === 'new-session').map((c) => c[c.indexOf('-n') + 1]!);
}

const serverPid = (s: TestServer) => Number(s.tmux('display-message', '-p', '#{pid}').trim());

describe('tsession --watch', () => {
  it('checkpoints at attach and again within seconds of a change, without polling', async () => {
    const s = server();
    s.tmux('new-session', '-d', '-s', 'work', '-n', 'edit', '-x', '80', '-y', '24');
    const d = watch(s, '--interval', '0');
    const [first] = await until(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');
    expect(first!.cause).toBe('watch attached');
    s.tmux('new-window', '-d', '-t', 'work:', '-n', 'logs');
    const changed = await until(s, (e) => e.what === 'save' && e.result === 'ok' && /window-add/.test(e.cause ?? ''), 'a save caused by window-add');
    const id = changed.at(-1)!.detail!.split(' ')[0]!;
    expect(await windowsIn(s, id, 'work')).toEqual(['edit', 'logs']);
    // With no interval and no change, nothing else is written.
    const before = (await saves(s)).length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await saves(s)).length).toBe(before);
    expect(d.child.exitCode).toBeNull();
  });

  it('interval saves catch what tmux never notifies, and write nothing while nothing changed', async () => {
    const s = server();
    s.tmux('new-session', '-d', '-s', 'idle', '-x', '80', '-y', '24', 'cat');
    watch(s, '--interval', '1');
    await until(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');
    await new Promise((r) => setTimeout(r, 3_500));
    const count = async () => (JSON.parse((await runCli(s, ['checkpoints', '--json'])).stdout) as unknown[]).length;
    expect(await count()).toBe(1);
    // New pane contents: no notification, but the next interval save records them.
    s.tmux('send-keys', '-t', 'idle', '-l', 'typed into cat\r');
    const [interval] = await until(s, (e) => e.what === 'save' && e.result === 'ok' && e.cause === 'interval', 'an interval save');
    expect(interval!.detail).toMatch(/1 session/);
    expect(await count()).toBe(2);
  });

  it('notices a SIGKILLed server at once and, with --auto-restore, brings its sessions back', async () => {
    const s = server();
    s.tmux('new-session', '-d', '-s', 'api', '-n', 'srv', '-x', '80', '-y', '24');
    s.tmux('new-window', '-d', '-t', 'api:', '-n', 'tests');
    watch(s, '--interval', '0', '--auto-restore');
    await until(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');
    const killedAt = Date.now();
    process.kill(serverPid(s), 'SIGKILL');
    const [crash] = await until(s, (e) => e.what === 'server-crashed', 'the crash detected');
    // Noticed from the control client's end, not a poll: well under a second here.
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(crash!.evidence![0]).toMatch(/server exited unexpectedly/);
    const [restore] = await until(s, (e) => e.what === 'restore', 'the restore');
    expect(restore!.result).toBe('ok');
    expect(restore!.detail).toMatch(/^api from /);
    expect(s.tmux('list-windows', '-t', 'api', '-F', '#{window_name}').trim().split('\n')).toEqual(['srv', 'tests']);
    // And the daemon follows the new server: its control client attaches there, and a change is saved.
    // (Its first save there may write nothing: the restored sessions are what the last checkpoint holds.)
    await waitFor(() => s.tmux('list-clients', '-F', '#{client_control_mode}').split('\n').includes('1'), 15_000, 'the daemon attached to the new server');
    s.tmux('rename-window', '-t', 'api:1', 'unit');
    await until(s, (e) => e.what === 'save' && e.result === 'ok' && /window-renamed/.test(e.cause ?? ''), 'a save on the new server');
  });

  it('tells kill-server from a crash and restores nothing after it', async () => {
    const s = server();
    s.tmux('new-session', '-d', '-s', 'done', '-x', '80', '-y', '24');
    watch(s, '--interval', '0', '--auto-restore');
    await until(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');
    // (An exiting server that refuses new clients for a moment is classifyEnd's 'recheck', tested on its own:
    // here the server is gone by the time the daemon asks.)
    s.tmux('kill-server');
    const [ended] = await until(s, (e) => e.what === 'server-ended', 'the end detected');
    expect(ended!.evidence!.join('\n')).toMatch(/normal end/);
    await new Promise((r) => setTimeout(r, 1_000));
    const all = await journal(s);
    expect(all.some((e) => e.what === 'server-crashed' || e.what === 'restore')).toBe(false);
    expect(ended!.evidence!.some((l) => /No tmux server/.test(l))).toBe(true);
    expect(s.tmuxTry('list-sessions').status).not.toBe(0);
  });

  it('stops within seconds even when the server is frozen (SIGSTOP), and says the final save failed', async () => {
    const s = server();
    s.tmux('new-session', '-d', '-s', 'frozen', '-x', '80', '-y', '24');
    const d = watch(s, '--interval', '0');
    await until(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');
    const pid = serverPid(s);
    process.kill(pid, 'SIGSTOP');
    try {
      const t0 = Date.now();
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(15_000);
      const last = (await journal(s)).slice(-3);
      expect(last.map((e) => `${e.what}:${e.result ?? ''}`)).toEqual(['stopping:', 'save:failed', 'stopped:']);
      expect(last[1]!.detail).toMatch(/not answer|timed out|refuses/i);
      expect((JSON.parse((await runCli(s, ['status', '--json'])).stdout) as { watching: boolean }).watching).toBe(false);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it('journals a session that freezes (a SIGSTOPped job) with its evidence, and its recovery', async () => {
    const s = server();
    s.tmux('new-session', '-d', '-s', 'job', '-x', '80', '-y', '24');
    s.tmux('send-keys', '-t', 'job', "sh -c 'echo PID=$$; sleep 1000; true'", 'Enter');
    const shPid = Number(await waitFor(() => /PID=(\d+)/.exec(s.tmux('capture-pane', '-p', '-t', 'job'))?.[1], 10_000, 'the job pid'));
    // Stop the job's own child, as a debugger or a stray SIGSTOP would (stopping sh itself, bash would take the terminal back).
    const pid = Number(
      await waitFor(() => readFileSync(`/proc/${shPid}/task/${shPid}/children`, 'utf8').trim().split(' ').find((p) => readStat(Number(p))?.comm === 'sleep'), 10_000, 'the sleep child'),
    );
    watch(s, '--interval', '0', '--health', '1');
    await until(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');
    process.kill(pid, 'SIGSTOP');
    try {
      const [frozen] = await until(s, (e) => e.what === 'session-frozen', 'the freeze journaled');
      expect(frozen!.detail).toBe('job');
      expect(frozen!.evidence!.join('\n')).toContain(String(pid));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const [recovered] = await until(s, (e) => e.what === 'session-recovered', 'the recovery journaled');
    expect(recovered!.detail).toBe('job');
    // One line each, not one per round.
    expect((await journal(s)).filter((e) => e.what === 'session-frozen')).toHaveLength(1);
  });

  it('waits for a server that is not up yet, then follows it', async () => {
    const s = server();
    watch(s, '--interval', '0');
    await until(s, (e) => e.what === 'server-down', 'the missing server reported');
    s.tmux('new-session', '-d', '-s', 'late', '-x', '80', '-y', '24');
    s.tmux('new-window', '-d', '-t', 'late:');
    await until(s, (e) => e.what === 'server-up', 'the server seen');
    await until(s, (e) => e.what === 'save' && e.result === 'ok', 'a save of the late server');
  });

  it('one daemon per server: a second one exits 6 with one line; SIGTERM saves, releases the lock and exits 0', async () => {
    const s = server();
    s.tmux('new-session', '-d', '-s', 'one', '-x', '80', '-y', '24');
    const d = watch(s, '--interval', '0');
    await until(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');
    const second = await runCli(s, ['--watch'], {}, 20_000);
    expect(second.code).toBe(6);
    expect(second.stderr).toMatch(/^tsession: tmux server -L \S+ is already watched by tsession pid \d+ .*\n$/);
    const status = await runCli(s, ['status', '--json']);
    const st = JSON.parse(status.stdout) as { watching: boolean; daemon: { pid: number } };
    expect(st).toMatchObject({ watching: true, daemon: { pid: d.child.pid } });
    // The daemon's control client is attached, but it is not a person: `list` says not attached.
    expect(s.tmux('list-clients', '-F', '#{client_control_mode}').trim()).toBe('1');
    const listed = JSON.parse((await runCli(s, ['list', '--json'])).stdout) as { sessions: { name: string; attached: boolean }[] };
    expect(listed.sessions.find((l) => l.name === 'one')).toMatchObject({ attached: false });
    // The interface's refresh sees the daemon (its header says "watched").
    const refresher = createRefresher(createContext({ socketName: s.name, json: false, debug: false }, s.env));
    expect((await refresher.quick()).watcher).toMatchObject({ pid: d.child.pid });
    s.tmux('rename-session', '-t', 'one', 'renamed');
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    const all = await journal(s);
    const last = all.slice(all.findIndex((e) => e.what === 'stopping'));
    expect(last.map((e) => e.what)).toEqual(['stopping', 'save', 'stopped']);
    // The rename's own save may still be under way when SIGTERM lands; then the final save finds nothing new
    // (not journaled) and the rename's save is the one before `stopped`. Either way the rename is saved.
    expect(last[1]!.cause).toMatch(/watch stopping|layout-change/);
    expect(last[1]!.detail).toMatch(/1 session/);
    const after = JSON.parse((await runCli(s, ['status', '--json'])).stdout) as { watching: boolean };
    expect(after.watching).toBe(false);
    const refreshed = await refresher.refresh();
    expect(refreshed.watcher).toBeNull();
    // And its journal panel reads what the daemon wrote, ending with its stop.
    expect(refreshed.journal?.at(-1)?.what).toBe('stopped');
    // The control client detached: no client is left on the server.
    expect(s.tmux('list-clients').trim()).toBe('');
    expect(d.stderr()).not.toMatch(/Error|at \S+ \(/);
  });

  it('takes over the lock of a daemon that was SIGKILLed', async () => {
    const s = server();
    s.tmux('new-session', '-d', '-s', 'x', '-x', '80', '-y', '24');
    const d = watch(s, '--interval', '0');
    await until(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');
    d.child.kill('SIGKILL');
    await d.exited;
    watch(s, '--interval', '0');
    const [start] = await until(s, (e) => e.what === 'started' && (e.evidence ?? []).some((l) => /stale lock/.test(l)), 'a takeover');
    expect(start!.evidence!.join('\n')).toContain(`stale lock of pid ${d.child.pid}`);
    // The killed daemon's control client noticed its parent's pipes close and left.
    await waitFor(() => s.tmux('list-clients', '-F', '#{client_pid}').trim().split('\n').filter(Boolean).length === 1, 10_000, 'one control client');
    expect(existsSync(s.home)).toBe(true);
  });
});
