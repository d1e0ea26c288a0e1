/**
 * tsession.tmux in an isolated server: loaded with run-shell, its bindings
 * pressed through a real attached client (node-pty): prefix C-s writes a
 * checkpoint, prefix C-r opens the interface in a display-popup; every
 * command gets the server's socket (-S). `tsession tmux-conf` prints the
 * line that loads it.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as pty from 'node-pty';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { createTestServer, tempDir, waitFor } from '../helpers/tmux-server.js';

const PLUGIN = resolve(import.meta.dirname, '..', '..', 'tsession.tmux');
const register = cleanupAfterEach();

/** Processes whose argv watches the server at `socket` (the daemon, or the sh about to exec it). */
function watchersOf(socket: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8');
        return argv.includes(socket) && /(^|\0| )watch(\0|$)/.test(argv);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('tsession.tmux', () => {
  it('prefix C-s saves and prefix C-r opens the interface in a popup, both on this server', async () => {
    const server = createTestServer();
    const work = tempDir('tsession-plugin-');
    register(() => server.kill(), () => work.cleanup());
    const log = join(work.path, 'argv.log');
    const wrapper = join(work.path, 'tsession #{wrapper}'); // a space and a format: quoted, never expanded
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> ${JSON.stringify(log)}\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`);
    chmodSync(wrapper, 0o755);
    server.tmux('new-session', '-d', '-s', 'work', '-x', '120', '-y', '40');
    server.tmux('set', '-g', '@tsession-bin', wrapper);
    server.tmux('set', '-g', '@tsession-popup-size', '80%');
    server.tmux('run-shell', PLUGIN);
    const socket = server.tmux('display-message', '-p', '#{socket_path}').trim();
    expect(server.tmux('list-keys', '-T', 'prefix', 'C-s')).toContain(' save ');
    expect(server.tmux('list-keys', '-T', 'prefix', 'C-r')).toMatch(/display-popup -E -h "80%" -w "80%" ".*wrapper.* -S /);

    const client = pty.spawn('tmux', ['-L', server.name, 'attach', '-t', 'work'], {
      env: { ...server.env, TERM: 'xterm-256color' } as Record<string, string>,
      cols: 120,
      rows: 40,
    });
    register(() => client.kill());
    let screen = '';
    client.onData((d) => (screen += d));
    await waitFor(() => server.tmux('list-clients').trim() !== '', 10_000, 'client to attach');

    client.write('\x02\x13'); // prefix C-s
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes(`-S ${socket} save`), 20_000, 'save to run');
    await waitFor(async () => {
      const r = await runCli(server, ['checkpoints', '--json']);
      return r.code === 0 && (JSON.parse(r.stdout) as unknown[]).length === 1;
    }, 20_000, 'a checkpoint');

    screen = '';
    client.write('\x02\x12'); // prefix C-r
    await waitFor(() => readFileSync(log, 'utf8').split('\n').includes(`-S ${socket}`), 20_000, 'the interface to start in the popup');
    // The interface draws in the popup: its header names the server's watch state.
    await waitFor(() => screen.includes('not watched'), 30_000, 'the interface to draw');
    client.write('q');
  }, 90_000);

  it('@tsession-watch on starts one watch daemon for the server, with its socket', async () => {
    const server = createTestServer();
    register(() => server.kill());
    server.tmux('new-session', '-d', '-s', 'work');
    server.tmux('set', '-g', '@tsession-bin', CLI);
    server.tmux('set', '-g', '@tsession-watch', 'on');
    // bash's %q quotes the path; the CLI file runs through its #! line (node).
    server.tmux('run-shell', PLUGIN);
    let pid = 0;
    register(async () => {
      if (!pid) return;
      // Stopped while its server still runs: it writes a final checkpoint, then exits.
      process.kill(pid, 'SIGTERM');
      await waitFor(() => !existsSync(`/proc/${pid}`), 15_000, 'the daemon to exit').catch(() => process.kill(pid, 'SIGKILL'));
    });
    await waitFor(async () => {
      const r = await runCli(server, ['status', '--json']);
      const st = JSON.parse(r.stdout) as { watching: boolean; daemon: { pid: number } | null };
      pid = st.daemon?.pid ?? 0;
      return st.watching;
    }, 20_000, 'a watch daemon');
    const socket = server.tmux('display-message', '-p', '#{socket_path}').trim();
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining(['-S', socket, 'watch']));
    // Loading the plugin again (a tmux.conf re-sourced) starts a second one, which finds the lock taken and exits.
    server.tmux('run-shell', PLUGIN);
    expect(watchersOf(socket).length).toBeGreaterThanOrEqual(1);
    await waitFor(() => watchersOf(socket).length === 1, 30_000, 'the second daemon to exit');
    expect(watchersOf(socket)).toEqual([pid]);
  }, 60_000);

  it('tsession tmux-conf prints the run-shell line for this package\'s plugin', async () => {
    const r = await runCli(null, ['tmux-conf']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`run-shell ${PLUGIN}\n`);
    expect(r.stdout).toMatch(/^# set -g @tsession-save-key 'C-s'/m);
  });
});
