/**
 * End to end: a real PTY session (`tsession new -d`, a real host and keeper
 * in a private HOME/XDG world) shown by the real interface running in a pane
 * of an isolated tmux server: its row says running, the detail panel shows
 * its screen (and a tmux session's detail its active pane's captured screen), Enter attaches the terminal to it, Ctrl-\ detaches and the
 * interface comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../helpers/tmux-server.js';
import { killServer } from '../helpers/teardown.js';
import { ptyWorld, type PtyWorld } from '../pty/helpers.js';
import { requireBuild, tuiPane } from './helpers/tui-pane.js';

let target: TestServer;
let host: TestServer;
let world: PtyWorld;

beforeAll(() => {
  requireBuild();
  target = createTestServer();
  host = createTestServer();
  world = ptyWorld();
});

afterAll(async () => {
  await killServer(host);
  await killServer(target);
  await world?.destroy();
});

describe('PTY sessions in the interface', () => {
  it('lists a real PTY session, previews its screen, attaches on Enter and comes back after detach', async () => {
    // A tmux session beside it: its detail previews its active pane's captured screen.
    target.tmux('new-session', '-d', '-s', 'api', '-x', '100', '-y', '12');
    target.tmux('send-keys', '-t', '=api:', '-l', 'echo tmux-marker-$((6+1))');
    target.tmux('send-keys', '-t', '=api:', 'Enter');
    const made = await world.cli(['new', '-d', 'work', '--', 'sh', '-c', 'echo preview-marker-42; exec cat']);
    expect(made.code, made.stderr).toBe(0);
    const tui = tuiPane(host, 'pty-tui');
    const env = Object.fromEntries(Object.entries(world.env).filter((e): e is [string, string] => ['HOME', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_RUNTIME_DIR', 'SHELL'].includes(e[0]) && typeof e[1] === 'string'));
    await tui.start(target, { ...env, TSESSION_TUI_REFRESH_MS: '500' });
    await tui.waitScreen(/work\s+running\s+pty/, 30_000);
    await tui.waitScreen(/Screen of api:0\.0:[\s\S]*│ tmux-marker-7/, 20_000);
    await tui.select('work');
    await tui.waitScreen(/│ preview-marker-42/, 20_000);
    tui.press('Enter');
    // The session's own screen, not the interface: the header is gone, the marker is there.
    await tui.waitScreen(/^preview-marker-42/m, 20_000);
    expect(tui.screen()).not.toMatch(/tsession · tmux/);
    tui.type('typed-while-attached');
    await tui.waitScreen(/typed-while-attached\n.*typed-while-attached/, 10_000);
    tui.press('C-\\');
    await tui.waitScreen(/tsession · tmux -L/, 20_000);
    // Back on the same row.
    await tui.waitScreen(/▶ work\s+running/, 20_000);
    // The preview is live: what was typed while attached (echoed by cat) shows there.
    await tui.waitScreen(/│ typed-while-attached/, 20_000);
    tui.press('q');
    await tui.waitScreen(/TSESSION-EXIT=0/, 10_000);
  }, 120_000);
});
