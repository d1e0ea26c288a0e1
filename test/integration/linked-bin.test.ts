/**
 * Installed with `npm link` (or globally), tsession is started through a
 * symlink in another directory. The processes it starts from the bundles
 * beside its real file — the restore typist, the PTY keeper — must be found
 * there, not next to the link: a restore must still type its commands, and
 * `tsession new` must still start a keeper.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { createTestServer, tempDir, waitFor } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { ptyWorld } from '../pty/helpers.js';

const afterTest = cleanupAfterEach();

/** A bin directory holding only a link to the built CLI, as `npm link` makes one. */
function linkedBin(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsession-bin-'));
  afterTest(() => rmSync(dir, { recursive: true, force: true }));
  const link = join(dir, 'tsession');
  symlinkSync(CLI, link);
  return link;
}

/** Run the CLI through `bin` (a link) instead of dist/tsession.cjs. */
function runLinked(bin: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  return runCli(null, args, env, 60_000, bin);
}

describe('tsession started through a symlink (npm link)', () => {
  it('restore hands its typing to the typist beside the real bin, which types and journals', async () => {
    const bin = linkedBin();
    const server = createTestServer();
    const dir = tempDir('tsession-linked-');
    afterTest(() => server.kill(), dir.cleanup);
    const env = { ...server.env, TSESSION_STATE_DIR: join(dir.path, 'state') };
    server.tmux('new-session', '-d', '-s', 'work', '-x', '100', '-y', '30');
    await waitFor(() => server.tmux('display', '-p', '-t', '=work:0.0', '#{cursor_x}').trim() !== '0', 10_000, 'a prompt');
    server.tmux('send-keys', '-t', '=work:0.0', '-l', 'tail -f /dev/null');
    server.tmux('send-keys', '-t', '=work:0.0', 'Enter');
    await waitFor(() => server.tmux('display', '-p', '-t', '=work:0.0', '#{pane_current_command}').trim() === 'tail', 10_000, 'tail');
    expect((await runLinked(bin, ['-L', server.name, 'save'], env)).code).toBe(0);
    server.tmux('kill-server');
    await waitFor(() => server.tmuxTry('ls').status !== 0, 5_000, 'server gone');
    const r = await runLinked(bin, ['-L', server.name, 'restore'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^will re-run in work:0\.0: tail -f \/dev\/null$/m);
    await waitFor(() => server.tmux('display', '-p', '-t', '=work:0.0', '#{pane_current_command}').trim() === 'tail', 20_000, 'tail re-run by the typist');
    const log = await runLinked(bin, ['-L', server.name, 'log', '--tmux'], env);
    expect(log.stdout).toMatch(/type-commands \[ok\] re-ran 1 /);
  }, 120_000);

  it('new starts the keeper beside the real bin', async () => {
    const bin = linkedBin();
    const world = ptyWorld();
    afterTest(() => world.destroy());
    const r = await runLinked(bin, ['new', 'linked', '-d', '--', 'sleep', '600'], world.env);
    expect(r.code, r.stderr).toBe(0);
    expect(await world.keeperPid()).not.toBeNull();
    const list = await runLinked(bin, ['list', '--json'], world.env);
    expect(list.stdout).toContain('"linked"');
  }, 120_000);
});
