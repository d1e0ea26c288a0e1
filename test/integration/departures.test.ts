/**
 * Sessions closed on purpose are not crashes (issue 11, defect 6), through
 * the real CLI and a real `--watch` daemon on an isolated server: the daemon
 * records why each session left (kill-session, rename, kill-server, a
 * crash); `list` says closed or crashed in the interface's words; a bare
 * restore leaves closed ones down and says why; `forget` hides one.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { cleanupAfterEach, killServer, stopChild } from '../helpers/teardown.js';
import { createTestServer, tempDir, waitFor } from '../helpers/tmux-server.js';

const afterTest = cleanupAfterEach();

interface Entry {
  what: string;
  result?: string;
  detail?: string;
}
interface Listed {
  name: string;
  state: string;
  departed: { why: string; to?: string } | null;
}

describe('why sessions left', () => {
  it('closed, renamed, ended and crashed are told apart; closed ones stay down; forget hides one', async () => {
    const server = createTestServer();
    const dir = tempDir('tsession-departures-');
    afterTest(() => killServer(server), dir.cleanup);
    const env = { TSESSION_STATE_DIR: join(dir.path, 'state') };
    const cli = (...args: string[]) => runCli(server, args, env);
    const journal = async (): Promise<Entry[]> => (await cli('log', '-n', '0', '--json')).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
    const list = async (): Promise<Map<string, Listed>> => new Map((JSON.parse((await cli('list', '--json')).stdout) as { sessions: Listed[] }).sessions.map((s) => [s.name, s]));
    /** Wait until the daemon recorded that `name` left `why`. */
    const left = (name: string, why: string) => waitFor(async () => (await list()).get(name)?.departed?.why === why, 15_000, `${name} recorded as ${why}`);
    const start = async (name: string) => {
      server.tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24');
      await waitFor(() => server.tmux('list-panes', '-t', `=${name}`, '-F', '#{cursor_x}').trim() !== '0', 10_000, `prompt in ${name}`);
    };
    for (const n of ['api', 'db', 'old']) await start(n);

    const daemon = spawn(process.execPath, [CLI, '-L', server.name, '-f', '/dev/null', '--watch'], { env: { ...server.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    afterTest(() => stopChild(daemon, 'SIGTERM'));
    await waitFor(async () => (await journal()).some((e) => e.what === 'save' && e.result === 'ok'), 15_000, 'the first save');

    server.tmux('kill-session', '-t', '=old');
    await left('old', 'closed');
    server.tmux('rename-session', '-t', '=db', 'database');
    await left('db', 'renamed');

    let l = await list();
    expect(l.get('old')).toMatchObject({ state: 'closed', departed: { why: 'closed' } });
    expect(l.get('db')).toMatchObject({ state: 'closed', departed: { why: 'renamed', to: 'database' } });
    expect(l.get('database')).toMatchObject({ state: 'live' });
    const text = (await cli('list')).stdout;
    expect(text).toMatch(/^db\s+closed: renamed to "database"/m);
    expect(text).toMatch(/^old\s+closed: closed on purpose/m);

    // A bare restore leaves what the person closed alone, and says why.
    const restored = await cli('restore');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^skipped old: closed on purpose.*`tsession -L \S+ restore old` \(or --all\) brings it back$/m);
    expect(restored.stdout).toMatch(/^skipped db: renamed to "database".*`tsession -L \S+ restore db` brings it back$/m);
    // --all brings back what was closed too, but not the old name of a renamed session.
    const all = await cli('restore', '--all', '--dry-run');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/rename-session -t \S+ -- old$/m);
    expect(all.stdout).toMatch(/^# skipped db: renamed to "database"/m);
    expect(server.tmux('list-sessions', '-F', '#{session_name}').trim().split('\n').sort()).toEqual(['api', 'database']);

    // Forget: gone from the list; a running or unknown name is refused.
    expect((await cli('forget', 'api')).code).toBe(6);
    expect((await cli('forget', 'nope')).code).toBe(2);
    const forgot = await cli('forget', 'old');
    expect(forgot.code).toBe(0);
    expect(forgot.stdout).toMatch(/^forgot old: deleted 0 checkpoints holding only it; kept \d+ checkpoints? other sessions need$/m);
    l = await list();
    expect(l.has('old')).toBe(false);
    expect((await cli('checkpoints', 'old', '--json')).stdout).not.toBe('[]\n'); // kept: api and db need them

    // A crash is a crash.
    const pid = Number(server.tmux('display', '-p', '#{pid}').trim());
    process.kill(pid, 'SIGKILL');
    await left('api', 'crashed');
    l = await list();
    expect(l.get('api')).toMatchObject({ state: 'crashed' });
    expect(l.get('db')).toMatchObject({ state: 'closed' });

    // A server ended on purpose (kill-server) is not a crash.
    await start('solo');
    await waitFor(async () => (await list()).get('solo')?.state === 'live', 15_000, 'solo live');
    await waitFor(async () => (await journal()).some((e) => e.what === 'server-up'), 15_000, 'the daemon back on the new server');
    await new Promise((r) => setTimeout(r, 1_500)); // its roster read after attaching
    server.tmux('kill-server');
    await left('solo', 'server-ended');
    l = await list();
    expect(l.get('solo')).toMatchObject({ state: 'closed', departed: { why: 'server-ended' } });
  }, 120_000);
});
