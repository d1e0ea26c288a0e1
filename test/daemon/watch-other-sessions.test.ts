/**
 * Defect 14 of issue 11 on a real server: tmux sends `%layout-change` only
 * to clients of the window's own session, so a `split-window -d` in a
 * session the daemon's client is not attached to used to trigger no save,
 * and a crash 1.5 s later lost the pane. The daemon's layout subscription
 * must bring every session's change into a checkpoint in time.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { journalUntil, startWatch } from '../helpers/watch-daemon.js';

const afterTest = cleanupAfterEach();

const checkpoints = async (s: TestServer) =>
  JSON.parse((await runCli(s, ['checkpoints', '--json'])).stdout) as { id: string; sessions: string[]; panes: number }[];

describe('a change in a session the daemon is not attached to', () => {
  it.each([
    ['split-window -d', (s: TestServer) => s.tmux('split-window', '-d', '-t', 'other:0')],
    ['kill-pane', (s: TestServer) => s.tmux('kill-pane', '-t', 'other:0.1')],
    ['resize-pane', (s: TestServer) => s.tmux('resize-pane', '-t', 'other:0.0', '-x', '30')],
  ])('%s reaches a checkpoint before a crash 1.5 s later', async (_what, change) => {
    const s = createTestServer();
    afterTest(() => s.kill());
    // The daemon attaches to the first session listed ("attached"); "other" gets no %layout-change.
    s.tmux('new-session', '-d', '-s', 'attached', '-x', '80', '-y', '24');
    s.tmux('new-session', '-d', '-s', 'other', '-x', '80', '-y', '24');
    s.tmux('split-window', '-d', '-h', '-t', 'other:0');
    startWatch(s, afterTest, ['--interval', '0', '--health', '0']);
    await journalUntil(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');
    // The daemon's client sits in "attached" (the first session listed).
    const clientSession = s.tmux('list-clients', '-F', '#{client_control_mode} #{client_session}').trim();
    expect(clientSession).toBe('1 attached');
    const before = (await checkpoints(s))[0]!.id;
    const layout = () => s.tmux('display-message', '-p', '-t', 'other:0', '#{window_layout}').trim();
    const was = layout();
    change(s);
    const now = layout();
    expect(now).not.toBe(was);
    await new Promise((r) => setTimeout(r, 1_500));
    process.kill(Number(s.tmux('display-message', '-p', '#{pid}').trim()), 'SIGKILL');
    await waitFor(() => s.tmuxTry('has-session').status !== 0, 5_000, 'the server gone');
    // The newest checkpoint holds the changed layout.
    const newest = (await checkpoints(s))[0]!;
    expect(newest.id).not.toBe(before);
    const dry = JSON.parse((await runCli(s, ['restore', 'other', '--dry-run', '--json', '--from', newest.id])).stdout) as { plan: { build: string[][] } };
    expect(JSON.stringify(dry.plan.build)).toContain(JSON.stringify(now).slice(1, -1));
  });
});
