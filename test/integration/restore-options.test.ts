/**
 * A restore on an isolated server brings back the pane options people rely
 * on (synchronize-panes, remain-on-exit) without letting synchronize-panes
 * copy the restore's own keys into other panes, and a server the restore
 * starts keeps `ps` clean: its process title holds no saved name or path.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';

const afterTest = cleanupAfterEach();

function setup(): { server: TestServer; dir: string; env: NodeJS.ProcessEnv } {
  const server = createTestServer();
  const dir = tempDir('tsession-opts-');
  afterTest(() => server.kill(), dir.cleanup);
  return { server, dir: dir.path, env: { TSESSION_STATE_DIR: join(dir.path, 'state') } };
}

const prompt = (server: TestServer, target: string) =>
  waitFor(() => server.tmux('display', '-p', '-t', target, '#{cursor_x}').trim() !== '0', 10_000, `a prompt in ${target}`);

/** Each pane's options, by position: `sync remain`. */
const options = (server: TestServer, session: string): string[] =>
  server.tmux('list-panes', '-s', '-t', `=${session}`, '-F', '#{window_index}.#{pane_index} #{synchronize-panes} #{remain-on-exit}').trim().split('\n');

describe('restore', () => {
  it('brings back synchronize-panes and remain-on-exit per pane, and types saved commands into their own pane only', async () => {
    const { server, env } = setup();
    server.tmux('new-session', '-d', '-s', 'ops', '-x', '120', '-y', '30');
    server.tmux('split-window', '-t', '=ops:0');
    server.tmux('split-window', '-t', '=ops:0');
    server.tmux('new-window', '-t', '=ops:');
    for (const t of ['=ops:0.0', '=ops:0.1', '=ops:0.2', '=ops:1.0']) await prompt(server, t);
    // A saved program in a pane that will be synchronized: typed there on restore, and nowhere else.
    server.tmux('send-keys', '-t', '=ops:0.0', '-l', 'sleep 4242');
    server.tmux('send-keys', '-t', '=ops:0.0', 'Enter');
    await waitFor(() => server.tmux('display', '-p', '-t', '=ops:0.0', '#{pane_current_command}').trim() === 'sleep', 10_000, 'sleep running');
    server.tmux('set-option', '-p', '-t', '=ops:0.0', 'synchronize-panes', 'on');
    server.tmux('set-option', '-p', '-t', '=ops:0.1', 'synchronize-panes', 'on');
    server.tmux('set-option', '-p', '-t', '=ops:0.1', 'remain-on-exit', 'failed');
    server.tmux('set-option', '-p', '-t', '=ops:1.0', 'remain-on-exit', 'on');
    const before = options(server, 'ops');
    expect(before).toEqual(['0.0 1 off', '0.1 1 failed', '0.2 0 off', '1.0 0 on']);
    expect((await runCli(server, ['save'], env)).code).toBe(0);
    server.tmux('kill-server');
    await waitFor(() => server.tmuxTry('ls').status !== 0, 5_000, 'server gone');

    const r = await runCli(server, ['restore'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^will type \(press Enter to run\) in ops:0\.0: sleep 4242$/m);
    // Pane ids never stand for panes in what a person reads.
    expect(r.stdout).not.toMatch(/%\d/);
    // Gated panes get their options from tmux once their Enters are in.
    await waitFor(() => JSON.stringify(options(server, 'ops')) === JSON.stringify(before), 10_000, `options ${JSON.stringify(before)}, got ${JSON.stringify(options(server, 'ops'))}`);
    const screen = (t: string) => server.tmux('capture-pane', '-p', '-t', t);
    expect(screen('=ops:0.0')).toContain('sleep 4242');
    expect(screen('=ops:0.1')).not.toContain('sleep 4242');
  }, 90_000);

  it('a server the restore starts shows no saved name or path in its process title', async () => {
    const { server, dir, env } = setup();
    const secretDir = join(dir, 'private-project-dir');
    mkdirSync(secretDir);
    server.tmux('new-session', '-d', '-s', 'secret-session-name', '-n', 'secret-window-name', '-c', secretDir, '-x', '80', '-y', '24');
    await prompt(server, '=secret-session-name:');
    expect((await runCli(server, ['save'], env)).code).toBe(0);
    server.tmux('kill-server');
    await waitFor(() => server.tmuxTry('ls').status !== 0, 5_000, 'server gone');
    const r = await runCli(server, ['restore'], env);
    expect(r.code, r.stderr).toBe(0);
    const pid = Number(server.tmux('display', '-p', '-t', '=secret-session-name:', '#{pid}').trim());
    const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    for (const secret of ['secret-session-name', 'secret-window-name', 'private-project-dir']) expect(title).not.toContain(secret);
    expect(title).toMatch(/^tmux /);
    // Nothing else was left behind: only the restored session, and exit-empty as tmux's default has it.
    expect(server.tmux('ls', '-F', '#{session_name}').trim()).toBe('secret-session-name');
    expect(server.tmux('show-options', '-sv', 'exit-empty').trim()).toBe('on');
  }, 60_000);
});
