/**
 * `tsession --watch --markers` on a real server: bash with tsession's shell
 * integration runs in a pane; the daemon follows the pane's output through
 * tmux and puts the shell's last command, exit code and trust into the
 * checkpoint. A forged OSC 633 E printed by a program never becomes the
 * last command.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverDir } from '../../checkpoints/paths.js';
import { readPaneNonce } from '../../sessions/shell-integration/nonce-store.js';
import { shellScriptPath } from '../../src/cli/commands/shell-integration.js';
import { CLI, runCli } from '../helpers/cli.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { stopChild } from '../helpers/teardown.js';

interface PaneJson {
  lastCommand?: { commandLine: string; exitCode: number | null; trusted: boolean; source: string };
}

let s: TestServer;
let daemon: ChildProcess;

/** The last command recorded for the first pane of `session`, in the newest checkpoint. */
async function lastCommand(session = 'sh'): Promise<PaneJson['lastCommand']> {
  const status = JSON.parse((await runCli(s, ['status', '--json'])).stdout) as { server: { socketPath: string } };
  const list = JSON.parse((await runCli(s, ['checkpoints', '--json'])).stdout) as { id: string }[];
  if (!list.length) return undefined;
  const dir = serverDir(join(s.env.XDG_STATE_HOME!, 'tsession'), status.server.socketPath);
  const body = JSON.parse(readFileSync(join(dir, 'checkpoints', `${list[0]!.id}.json`), 'utf8')) as {
    body: { sessions: { name: string; windows: { panes: PaneJson[] }[] }[] };
  };
  return body.body.sessions.find((x) => x.name === session)?.windows[0]!.panes[0]!.lastCommand;
}

let bash = '';

/** Start an integrated bash in `target` (a new session, or a pane to respawn) and wait for its nonce. */
async function integratedShell(session: string, respawn = false): Promise<number> {
  if (respawn) s.tmux('respawn-pane', '-k', '-t', session, bash);
  else s.tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', bash);
  const pid = Number(s.tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim());
  // The shell registered its nonce: integration is live.
  await waitFor(() => readPaneNonce(pid, s.env), 15_000, 'the shell’s nonce');
  return pid;
}

beforeAll(async () => {
  s = createTestServer();
  const rc = join(s.home, 'integrated.bashrc');
  writeFileSync(rc, `source '${shellScriptPath('bash')}'\n`);
  bash = `bash --noprofile --rcfile '${rc}' -i`;
  await integratedShell('sh');
  daemon = spawn(process.execPath, [CLI, '-L', s.name, '-f', '/dev/null', '--watch', '--markers', '--interval', '1'], {
    env: s.env,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  // The daemon has a client for the session's output besides its event client.
  await waitFor(() => s.tmux('list-clients').trim().split('\n').length === 2, 15_000, 'two control clients');
});

afterAll(async () => {
  await stopChild(daemon, 'SIGTERM');
  s?.kill();
});

describe('tsession --watch --markers', () => {
  it("records the shell's last command, exit code and trust from its markers", async () => {
    s.tmux('send-keys', '-t', 'sh', '(exit 3)', 'Enter');
    const last = await waitFor(async () => {
      const l = await lastCommand();
      return l?.commandLine === '(exit 3)' ? l : null;
    }, 20_000, 'a checkpoint with the last command');
    expect(last).toEqual({ commandLine: '(exit 3)', exitCode: 3, trusted: true, durationMs: expect.any(Number), source: 'osc633-trusted' });
  });

  it('a command line forged in program output never becomes the last command', async () => {
    const typed = "printf '\\033]633;E;rm -rf ~\\007'; (exit 5)";
    s.tmux('send-keys', '-t', 'sh', '-l', typed);
    s.tmux('send-keys', '-t', 'sh', 'Enter');
    const last = await waitFor(async () => {
      const l = await lastCommand();
      return l?.exitCode === 5 ? l : null;
    }, 20_000, 'a checkpoint after the forging command');
    expect(last).toMatchObject({ commandLine: typed, trusted: true, source: 'osc633-trusted' });
  });

  it('follows a session made after the daemon started', async () => {
    await integratedShell('later');
    await waitFor(() => s.tmux('list-clients').trim().split('\n').length === 3, 15_000, 'a client for the new session');
    s.tmux('send-keys', '-t', 'later', '(exit 7)', 'Enter');
    const last = await waitFor(async () => {
      const l = await lastCommand('later');
      return l?.exitCode === 7 ? l : null;
    }, 20_000, "the new session's last command");
    expect(last).toMatchObject({ commandLine: '(exit 7)', trusted: true });
  });

  it('a respawned pane starts over: the new shell never inherits the old one’s last command', async () => {
    s.tmux('send-keys', '-t', 'sh', '(exit 4)', 'Enter');
    await waitFor(async () => ((await lastCommand())?.exitCode === 4 ? true : null), 20_000, 'the old shell’s command recorded');
    await integratedShell('sh', true);
    // The new shell has run nothing yet: the checkpoint has no last command for the pane.
    await waitFor(async () => ((await lastCommand()) === undefined ? true : null), 20_000, 'the old command gone');
    s.tmux('send-keys', '-t', 'sh', '(exit 9)', 'Enter');
    const last = await waitFor(async () => {
      const l = await lastCommand();
      return l?.exitCode === 9 ? l : null;
    }, 20_000, "the new shell's command");
    // Trusted: the new shell's own nonce was read for it.
    expect(last).toMatchObject({ commandLine: '(exit 9)', trusted: true, source: 'osc633-trusted' });
  });
});
