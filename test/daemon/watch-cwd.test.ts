/**
 * `tsession --watch --markers` puts the shell-integration cwd, with where it
 * came from, into the checkpoint: real shells in an isolated server, one
 * reporting its directory with OSC 7 (as VTE's and many distributions'
 * prompts do), one with tsession's own bash integration (OSC 633 P;Cwd),
 * one with no integration at all (the /proc floor).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { serverDir } from '../../checkpoints/paths.js';
import { readPaneNonce } from '../../sessions/shell-integration/nonce-store.js';
import { shellScriptPath } from '../../src/cli/commands/shell-integration.js';
import { CLI, runCli } from '../helpers/cli.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';

interface Cwd {
  path: string;
  source: string;
}

let s: TestServer;
let daemon: ChildProcess;
let dir = '';

/** The cwd recorded for the first pane of `session` in the newest checkpoint. */
async function savedCwd(session: string): Promise<Cwd | undefined> {
  const status = JSON.parse((await runCli(s, ['status', '--json'])).stdout) as { server: { socketPath: string } };
  const list = JSON.parse((await runCli(s, ['checkpoints', '--json'])).stdout) as { id: string }[];
  if (!list.length) return undefined;
  const store = serverDir(join(s.env.XDG_STATE_HOME!, 'tsession'), status.server.socketPath);
  const body = JSON.parse(readFileSync(join(store, 'checkpoints', `${list[0]!.id}.json`), 'utf8')) as {
    body: { sessions: { name: string; windows: { panes: { cwd: Cwd }[] }[] }[] };
  };
  return body.body.sessions.find((x) => x.name === session)?.windows[0]!.panes[0]!.cwd;
}

/** Wait until the newest checkpoint records `path` for `session`; returns that cwd fact. */
/**
 * The first checkpoint with `session` in `path` from `source`. A checkpoint
 * written between the `cd` and the next prompt rightly has /proc's word (the
 * marker comes with the prompt): the wait is for the source, not the first path.
 */
const cwdOnceAt = (session: string, path: string, source: Cwd['source']): Promise<Cwd> =>
  waitFor(async () => {
    const c = await savedCwd(session);
    return c?.path === path && c.source === source ? c : null;
  }, 20_000, `a checkpoint with ${session} in ${path} from ${source}`);

beforeAll(async () => {
  s = createTestServer();
  dir = join(s.home, 'work dir');
  mkdirSync(dir);
  const osc7rc = join(s.home, 'osc7.bashrc');
  // What /etc/profile.d/vte.sh does: report the directory at each prompt.
  writeFileSync(osc7rc, `PROMPT_COMMAND='printf "\\033]7;file://%s%s\\007" "$HOSTNAME" "$PWD"'\n`);
  const integratedRc = join(s.home, 'integrated.bashrc');
  writeFileSync(integratedRc, `source '${shellScriptPath('bash')}'\n`);
  s.tmux('new-session', '-d', '-s', 'osc7', '-x', '120', '-y', '30', `bash --noprofile --rcfile '${osc7rc}' -i`);
  s.tmux('new-session', '-d', '-s', 'integrated', '-x', '120', '-y', '30', `bash --noprofile --rcfile '${integratedRc}' -i`);
  s.tmux('new-session', '-d', '-s', 'plain', '-x', '120', '-y', '30', 'bash --noprofile --norc -i');
  const pid = Number(s.tmux('display-message', '-p', '-t', 'integrated', '#{pane_pid}').trim());
  await waitFor(() => readPaneNonce(pid, s.env), 15_000, 'the integrated shell’s nonce');
  daemon = spawn(process.execPath, [CLI, '-L', s.name, '-f', '/dev/null', '--watch', '--markers', '--interval', '1'], {
    env: s.env,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  // An event client and one output client per session.
  await waitFor(() => s.tmux('list-clients').trim().split('\n').length === 4, 15_000, 'four control clients');
});

afterAll(async () => {
  daemon?.kill('SIGTERM');
  await new Promise((r) => daemon?.once('close', r));
  s?.kill();
});

describe('tsession --watch --markers: the cwd ladder in the checkpoint', () => {
  it('a shell that reports OSC 7 gets osc7 provenance', async () => {
    s.tmux('send-keys', '-t', 'osc7', `cd '${dir}'`, 'Enter');
    await cwdOnceAt('osc7', dir, 'osc7'); // times out (and fails) unless a checkpoint says so
  });

  it("tsession's bash integration gives osc633 provenance", async () => {
    s.tmux('send-keys', '-t', 'integrated', `cd '${dir}'`, 'Enter');
    await cwdOnceAt('integrated', dir, 'osc633'); // times out (and fails) unless a checkpoint says so
  });

  it('a shell without integration keeps the /proc floor', async () => {
    s.tmux('send-keys', '-t', 'plain', `cd '${dir}'`, 'Enter');
    await cwdOnceAt('plain', dir, 'proc'); // times out (and fails) unless a checkpoint says so
  });

  it('a shell whose integration went silent is overruled by /proc once it idles elsewhere', async () => {
    // Turn the OSC 7 reports off, then move: /proc's directory is the current one.
    s.tmux('send-keys', '-t', 'osc7', 'unset PROMPT_COMMAND; cd /', 'Enter');
    await cwdOnceAt('osc7', '/', 'proc'); // times out (and fails) unless a checkpoint says so
  });
});
