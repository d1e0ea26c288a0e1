/**
 * The watch daemon sweeps the nonce files of shells that are gone (a shell
 * killed with SIGKILL cannot remove its own), at start and as its interval
 * saves pass, and keeps those of live shells. Real integrated bash shells in
 * an isolated server write the files; the daemon is the real CLI.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonceFilePath, readPaneNonce } from '../../sessions/shell-integration/nonce-store.js';
import { shellScriptPath } from '../../src/cli/commands/shell-integration.js';
import { CLI } from '../helpers/cli.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';

let s: TestServer;
let daemon: ChildProcess | undefined;
let bash = '';

/** Start an integrated bash as a new session and wait for its nonce file; returns the shell's pid. */
async function integratedShell(session: string): Promise<number> {
  s.tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', bash);
  const pid = Number(s.tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim());
  await waitFor(() => readPaneNonce(pid, s.env), 15_000, `the nonce of the shell in ${session}`);
  return pid;
}

beforeAll(() => {
  s = createTestServer();
  const rc = join(s.home, 'integrated.bashrc');
  writeFileSync(rc, `source '${shellScriptPath('bash')}'\n`);
  bash = `bash --noprofile --rcfile '${rc}' -i`;
});

afterAll(async () => {
  daemon?.kill('SIGTERM');
  if (daemon) await new Promise((r) => daemon!.once('close', r));
  s?.kill();
});

describe('tsession --watch prunes stale nonce files', () => {
  it('removes the file of a dead pid at start and of a killed shell later; keeps a live shell’s', async () => {
    const live = await integratedShell('live');
    // A pid that existed and is gone: a process that has exited.
    const dead = spawnSync('true').pid!;
    const deadFile = nonceFilePath(dead, s.env);
    mkdirSync(dirname(deadFile), { recursive: true, mode: 0o700 });
    writeFileSync(deadFile, `${'f'.repeat(32)}\n`, { mode: 0o600 });
    chmodSync(deadFile, 0o600);

    daemon = spawn(process.execPath, [CLI, '-L', s.name, '-f', '/dev/null', '--watch', '--interval', '1'], {
      env: s.env,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    await waitFor(() => !existsSync(deadFile), 15_000, 'the dead pid’s nonce file removed');
    expect(readPaneNonce(live, s.env)).toMatch(/^[0-9a-f]{32}$/);

    // A shell killed while the daemon runs leaves its file behind; an interval later it is gone.
    const doomed = await integratedShell('doomed');
    const doomedFile = nonceFilePath(doomed, s.env);
    process.kill(doomed, 'SIGKILL');
    await waitFor(() => !existsSync(doomedFile), 15_000, 'the killed shell’s nonce file removed');
    expect(readPaneNonce(live, s.env)).toMatch(/^[0-9a-f]{32}$/);
  });
});
