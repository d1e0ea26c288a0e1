/**
 * A bare `tsession restore` brings back every saved session that is not
 * running, each from the newest valid checkpoint holding it, and says on
 * stdout what came back from which checkpoint and what was skipped and why
 * (issue 11, defect 3). Through the real CLI on isolated servers.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cleanupAfterEach, killServer } from '../helpers/teardown.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';

const afterTest = cleanupAfterEach();

function setup(): { server: TestServer; env: NodeJS.ProcessEnv; dir: string } {
  const server = createTestServer();
  const dir = tempDir('tsession-restore-saved-');
  afterTest(() => killServer(server), dir.cleanup);
  return { server, env: { TSESSION_STATE_DIR: join(dir.path, 'state') }, dir: dir.path };
}

const prompt = (server: TestServer, target: string) =>
  waitFor(() => server.tmux('list-panes', '-t', target, '-F', '#{cursor_x}').trim() !== '0', 10_000, `shell prompt in ${target}`);

async function start(server: TestServer, name: string | null, cwd?: string): Promise<void> {
  server.tmux('new-session', '-d', ...(name ? ['-s', name] : []), ...(cwd ? ['-c', cwd] : []), '-x', '80', '-y', '24');
  await prompt(server, `=${name ?? '0'}`);
}

const sessions = (server: TestServer) => server.tmux('list-sessions', '-F', '#{session_name}').trim().split('\n').sort();

async function saveJson(server: TestServer, env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const r = await runCli(server, ['save', '--json', ...args], env);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { id: string }).id;
}

async function crash(server: TestServer): Promise<void> {
  server.tmux('kill-server');
  await waitFor(() => server.tmuxTry('ls').status !== 0, 5_000, 'server gone');
}

describe('bare restore', () => {
  it('after `save` (all) then `save api` and a crash: every session comes back, each from its newest checkpoint', async () => {
    const { server, env } = setup();
    for (const n of ['api', 'web', 'db']) await start(server, n);
    const all = await saveJson(server, env);
    server.tmux('split-window', '-d', '-t', '=api:');
    const apiOnly = await saveJson(server, env, 'api');
    expect(apiOnly).not.toBe(all);
    await crash(server);

    const r = await runCli(server, ['restore'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(sessions(server)).toEqual(['api', 'db', 'web']);
    expect(r.stdout).toContain(`restored api (1 window, 2 panes) from checkpoint ${apiOnly} (`);
    expect(r.stdout).toContain(`restored web (1 window, 1 pane) from checkpoint ${all} (`);
    expect(r.stdout).toContain(`restored db (1 window, 1 pane) from checkpoint ${all} (`);

    // Again: everything runs now, and it says so for each.
    const again = await runCli(server, ['restore'], env);
    expect(again.code).toBe(0);
    for (const n of ['api', 'web', 'db']) expect(again.stdout).toContain(`skipped ${n}: already running`);
  }, 60_000);

  it('tmux restarted outside $HOME: its start-up session is not saved over the real ones, and restore brings them back', async () => {
    const { server, env, dir } = setup();
    await start(server, 'work');
    await saveJson(server, env);
    await crash(server);
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    await start(server, null, elsewhere); // what `tmux` typed in ~/elsewhere creates: session "0"
    expect(sessions(server)).toEqual(['0']);

    const save = await runCli(server, ['save'], env);
    expect(save.code).toBe(0);
    expect(save.stderr).toContain(`nothing saved: only tmux's default start-up session "0" (a bare shell in ${elsewhere})`);
    const listed = JSON.parse((await runCli(server, ['checkpoints', '--json'], env)).stdout) as { sessions: string[] }[];
    expect(listed.map((c) => c.sessions)).toEqual([['work']]);

    const r = await runCli(server, ['restore'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^restored work \(1 window, 1 pane\) from checkpoint \S+ \(\d+[smhd] ago\)$/m);
    expect(sessions(server)).toEqual(['0', 'work']);
  }, 60_000);
});
