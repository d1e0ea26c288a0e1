/**
 * An automatic restore never blocks the watch daemon. A pane whose terminal
 * stops reading while the restore writes its saved contents (here: XOFF, as
 * Ctrl-S gives every new pane of the restored server through a tmux hook)
 * holds that restore for up to its tty-write deadline; meanwhile the daemon
 * must go on: attach to the server the restore brought up, notice at once
 * when that server crashes too, and save as soon as a restore is over.
 *
 * Real isolated tmux servers, the real daemon (dist/tsession.cjs --watch
 * --auto-restore). The daemon is given a tmux config (`-f`) that only the
 * servers it starts itself load: the restored ones.
 *
 * Against a restore whose tty writes sleep synchronously (Atomics.wait, one
 * deadline per pane in turn), the next save comes four deadlines (~20 s)
 * after the crash and this test fails on that assertion.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { journalOf as journal } from '../helpers/watch-daemon.js';

/** Panes with saved contents in the crashed server: each one's contents write is held by XOFF. */
const PANES = 4;

let s: TestServer | undefined;
let daemon: ChildProcess | undefined;

afterEach(async (c) => {
  // DEBUG_JOURNAL=1 prints what the daemon journaled when the test fails.
  if (s && process.env.DEBUG_JOURNAL && c.task.result?.state === 'fail') console.log(JSON.stringify(await journal(s)));
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
    daemon.kill('SIGKILL');
    await new Promise((r) => daemon!.once('close', r));
  }
  daemon = undefined;
  s?.kill();
  s = undefined;
});

/** Whether a write to this terminal is refused at once because its output is held (XOFF). */
function outputHeld(tty: string): boolean {
  const fd = openSync(tty, constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  try {
    writeSync(fd, 'x');
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EAGAIN';
  } finally {
    closeSync(fd);
  }
}

const restores = async (server: TestServer) => (await journal(server)).filter((e) => e.what === 'restore');

const killServer = (server: TestServer) => process.kill(Number(server.tmux('display-message', '-p', '#{pid}').trim()), 'SIGKILL');

/** Waits for the n-th journaled crash. */
const crashCount = (server: TestServer) => (n: number) =>
  waitFor(async () => (await journal(server)).filter((e) => e.what === 'server-crashed')[n - 1] ?? null, 15_000, `crash ${n} journaled`);

/** Wait until a restored server has all its panes, each with its output held. */
async function heldPanes(server: TestServer): Promise<void> {
  const ttys = await waitFor(() => {
    const r = server.tmuxTry('list-panes', '-a', '-F', '#{pane_tty}');
    const found = r.status === 0 ? r.stdout.trim().split('\n').filter(Boolean) : [];
    return found.length >= PANES ? found : null;
  }, 15_000, 'the restored panes');
  // The scenario holds: the restored panes' terminals refuse output.
  expect(ttys.map(outputHeld)).toEqual(ttys.map(() => true));
}

const daemonClients = (server: TestServer): number =>
  server.tmuxTry('list-clients', '-F', '#{client_control_mode}').stdout.split('\n').filter((l) => l === '1').length;

describe('auto-restore never blocks the daemon', () => {
  it('a restore held by panes that stop reading delays neither the notice of a second crash nor the next save', async () => {
    const server = (s = createTestServer());
    server.tmux('new-session', '-d', '-s', 'big', '-x', '120', '-y', '40', 'bash --noprofile --norc -i');
    for (let i = 1; i < PANES; i++) server.tmux('split-window', '-d', '-t', 'big', 'bash --noprofile --norc -i');
    server.tmux('select-layout', '-t', 'big', 'tiled');
    // Saved contents for every pane: a restore writes them to each pane's terminal before its prompt.
    for (const pane of server.tmux('list-panes', '-t', 'big', '-F', '#{pane_id}').trim().split('\n')) {
      server.tmux('send-keys', '-t', pane, 'seq 1 3000', 'Enter');
    }
    await waitFor(() => /3000/.test(server.tmux('capture-pane', '-p', '-t', 'big')), 10_000, 'the output in the panes');

    // Every pane the restored server makes gets Ctrl-S at once: its output is held. The hook
    // holds tmux's command queue a moment, so the terminal has taken the Ctrl-S before the
    // restore learns the pane exists and writes to it.
    const conf = join(server.home, 'xoff.tmux.conf');
    const hook = `send-keys C-s ; run-shell 'sleep 0.1'`;
    writeFileSync(conf, ['after-new-session', 'after-new-window', 'after-split-window'].map((h) => `set-hook -g ${h} "${hook}"\n`).join(''));
    daemon = spawn(process.execPath, [CLI, '-L', server.name, '-f', conf, '--watch', '--auto-restore', '--interval', '0', '--health', '0'], {
      env: server.env,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    await waitFor(async () => (await journal(server)).some((e) => e.what === 'save' && e.result === 'ok'), 15_000, 'the first save');

    // First crash: the daemon restores into a new server whose panes do not read.
    const crashed = crashCount(server);
    const firstCrashAt = Date.now();
    killServer(server);
    await crashed(1);
    await heldPanes(server);
    // While that restore is held, the daemon already follows the new server.
    await waitFor(() => daemonClients(server) >= 1, 10_000, 'the daemon attached to the restored server');
    expect(await restores(server)).toHaveLength(0);

    // The restore ends with its contents unwritten, and the daemon's next save follows at once.
    // Four unreading panes must not cost four tty-write deadlines, nor freeze the daemon meanwhile.
    const { restore, save } = await waitFor(async () => {
      const all = await journal(server);
      const r = all.find((e) => e.what === 'restore' && e.result === 'ok'); // a try that failed under load is retried
      const sv = r ? all.slice(all.indexOf(r)).find((e) => e.what === 'save' && e.result === 'ok') : undefined;
      return r && sv ? { restore: r, save: sv } : null;
    }, 45_000, 'the restore and the save after it');
    expect(restore.result).toBe('ok');
    expect(restore.evidence?.join('\n')).toMatch(/not shown/);
    expect(save.cause).toMatch(/watch attached/);
    expect(save.detail).toMatch(new RegExp(`${PANES} panes\\)`));
    expect(Date.parse(save.at) - Date.parse(restore.at)).toBeLessThan(2_000);
    expect(Date.parse(save.at) - firstCrashAt).toBeLessThan(12_000);

    // Let the restored panes draw (Ctrl-Q) and save them: the next restore has contents to write.
    for (const pane of server.tmux('list-panes', '-a', '-F', '#{pane_id}').trim().split('\n')) server.tmux('send-keys', '-t', pane, 'C-q');
    await waitFor(() => server.tmux('capture-pane', '-p', '-t', 'big').trim() !== '', 10_000, 'the restored shells drawing');
    server.tmux('rename-window', '-t', 'big', 'drawn');
    await waitFor(async () => (await journal(server)).some((e) => e.what === 'save' && /window-renamed/.test(e.cause ?? '') && e.result === 'ok'), 15_000, 'a save of the drawn panes');

    // A second crash is noticed at once; so is a third, of the server a held restore is still building.
    let killedAt = Date.now();
    killServer(server);
    expect(Date.parse((await crashed(2)).at) - killedAt).toBeLessThan(3_000);
    await heldPanes(server);
    await waitFor(() => daemonClients(server) >= 1, 10_000, 'the daemon attached to the server being restored');
    // The second restore is still being built (a try that failed under load is retried, and said here).
    const sofar = await restores(server);
    for (const r of sofar.filter((x) => x.result !== 'ok')) console.warn(`a restore try failed and is retried: ${r.detail ?? ''}`);
    expect(sofar.filter((x) => x.result === 'ok')).toHaveLength(1);
    killedAt = Date.now();
    killServer(server);
    expect(Date.parse((await crashed(3)).at) - killedAt).toBeLessThan(3_000);
  }, 90_000);
});
