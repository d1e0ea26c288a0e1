/**
 * Defect 4 of issue 11 through the built CLI on real isolated servers: a
 * daemon with a bad config refuses to start (one line, non-zero exit, no
 * lock, no "started"); a config that goes bad while it runs is journaled and
 * shown by `status`, and the saves go on with the last good settings; saves
 * that fail are shown by `status`, `status --json` and the interface's
 * refresh; `restore` goes on past a bad key it does not need, with one
 * warning line.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverDir, watchLockFile } from '../../checkpoints/paths.js';
import { createContext } from '../../src/context.js';
import { createRefresher } from '../../src/tui/refresher.js';
import { runCli } from '../helpers/cli.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { journalOf, journalUntil, startWatch } from '../helpers/watch-daemon.js';

const afterTest = cleanupAfterEach();

function server(): TestServer {
  const s = createTestServer();
  afterTest(() => s.kill());
  s.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24');
  return s;
}

const configFile = (s: TestServer) => join(s.home, '.config', 'tsession', 'config.json');
function writeConfig(s: TestServer, value: unknown): void {
  mkdirSync(join(s.home, '.config', 'tsession'), { recursive: true });
  writeFileSync(configFile(s), JSON.stringify(value));
}
const socketPath = (s: TestServer) => s.tmux('display-message', '-p', '#{socket_path}').trim();
const storeDir = (s: TestServer) => serverDir(join(s.home, '.local', 'state', 'tsession'), socketPath(s));

describe('the watch daemon and its config', () => {
  it('refuses to start on a bad config: one line naming the key, exit 1, no lock, nothing journaled', async () => {
    const s = server();
    writeConfig(s, { retention: { keepLast: 0 } });
    const d = startWatch(s, afterTest);
    const code = await Promise.race([d.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 10_000))]);
    expect(code).toBe(1);
    expect(d.stderr()).toBe('tsession: ~/.config/tsession/config.json: retention.keepLast: expected a whole number ≥ 1, got 0\n');
    expect(existsSync(watchLockFile(join(s.home, 'run', 'tsession'), socketPath(s)))).toBe(false);
    expect(await journalOf(s)).toEqual([]);
  });

  it('a config that goes bad while it runs: journaled, shown by status, saves go on with the last good settings', async () => {
    const s = server();
    writeConfig(s, { contents: { lines: 5 } });
    startWatch(s, afterTest, ['--interval', '0']);
    await journalUntil(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');
    writeConfig(s, { contents: { lines: 'all' } });
    s.tmux('new-window', '-d', '-t', 'work:', '-n', 'second');
    const [bad] = await journalUntil(s, (e) => e.what === 'config-invalid', 'the bad config noticed');
    expect(bad!.detail).toBe('~/.config/tsession/config.json: contents.lines: expected a whole number ≥ 0, got "all"');
    // The new window's save comes after the bad config was noticed (its cause may fold in the layout subscription's).
    await journalUntil(s, (e) => e.what === 'save' && e.result === 'ok' && /window-add/.test(e.cause ?? '') && e.at >= bad!.at, 'a save with the last good settings');
    const text = await runCli(s, ['status']);
    expect(text.stdout).toMatch(/^watched by tsession pid \d+/m);
    expect(text.stdout).toMatch(/^CONFIG INVALID since \S+: ~\/\.config\/tsession\/config\.json: contents\.lines: expected a whole number ≥ 0, got "all" \(the daemon goes on with its last good settings\)$/m);
    const json = JSON.parse((await runCli(s, ['status', '--json'])).stdout) as { configInvalid: { detail: string } | null };
    expect(json.configInvalid?.detail).toBe(bad!.detail);

    writeConfig(s, { contents: { lines: 7 } });
    s.tmux('rename-window', '-t', 'work:second', 'third');
    await journalUntil(s, (e) => e.what === 'config-reloaded', 'the fixed config reloaded');
    expect((await runCli(s, ['status'])).stdout).not.toMatch(/CONFIG INVALID/);
  });

  it('saves that fail: status, status --json and the interface say so, with why; a working save clears it', async () => {
    const s = server();
    startWatch(s, afterTest, ['--interval', '0']);
    await journalUntil(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');
    // A file where the checkpoints dir was: every write fails (chmod stops no one running as root).
    const checkpoints = join(storeDir(s), 'checkpoints');
    rmSync(checkpoints, { recursive: true });
    writeFileSync(checkpoints, '');
    s.tmux('new-window', '-d', '-t', 'work:', '-n', 'lost');
    const [failed] = await journalUntil(s, (e) => e.what === 'save' && e.result === 'failed', 'a failed save');
    expect(failed!.detail).toMatch(/ENOTDIR|not a directory/);

    const text = await runCli(s, ['status']);
    expect(text.stdout).toMatch(/^watched by tsession pid \d+/m);
    expect(text.stdout).toContain(`SAVES FAILING: the last save failed at ${failed!.at}: ${failed!.detail}`);
    const json = JSON.parse((await runCli(s, ['status', '--json'])).stdout) as { watching: boolean; lastSaveFailed: { detail: string } | null };
    expect(json).toMatchObject({ watching: true, lastSaveFailed: { detail: failed!.detail } });
    const refresher = createRefresher(createContext({ socketName: s.name, json: false, debug: false }, s.env));
    expect((await refresher.refresh()).watcher?.trouble).toBe(`last save failed: ${failed!.detail}`);

    rmSync(checkpoints);
    mkdirSync(checkpoints, { mode: 0o700 });
    s.tmux('rename-window', '-t', 'work:lost', 'found');
    await journalUntil(s, (e) => e.what === 'save' && e.result === 'ok' && e.at > failed!.at, 'a working save');
    expect((await runCli(s, ['status'])).stdout).not.toMatch(/SAVES FAILING/);
    expect((await refresher.refresh()).watcher?.trouble).toBeUndefined();
  });
});

describe('restore and a bad key it does not need', () => {
  it('restores, with one warning line naming the key', async () => {
    const s = server();
    expect((await runCli(s, ['save'])).code).toBe(0);
    s.tmux('kill-server');
    writeConfig(s, { retention: { keepLast: 0 } });
    const r = await runCli(s, ['restore']);
    expect(r.stderr).toBe(
      'tsession: warning: ~/.config/tsession/config.json: retention.keepLast: expected a whole number ≥ 1, got 0; going on with the defaults for retention, which this does not need\n',
    );
    expect(r.code).toBe(0);
    await waitFor(() => s.tmuxTry('has-session', '-t', '=work').status === 0, 5_000, 'work restored');
  });

  it('still refuses a bad allowlist: it decides what is re-run', async () => {
    const s = server();
    expect((await runCli(s, ['save'])).code).toBe(0);
    s.tmux('kill-server');
    writeConfig(s, { rerun: { allowlist: 'vim' } });
    const r = await runCli(s, ['restore']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('tsession: ~/.config/tsession/config.json: rerun.allowlist: expected a list of program names or rules, got "vim"\n');
  });
});
