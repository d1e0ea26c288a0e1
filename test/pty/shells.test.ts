/**
 * Shell integration in hosted shells without any rc file naming it: bash,
 * zsh and fish each report their last command line with the session's
 * nonce (trusted) and their cwd, and the checkpoint keeps both. Also: PTY
 * commands need no tmux (PATH without it: at most one quiet line).
 */
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findExecutable } from '../../sessions/restore/shell-resolve.js';
import { savedPtySessions } from '../../src/ops/pty-sessions.js';
import { waitFor } from '../helpers/tmux-server.js';
import { clientTerminal, ptyWorld, type ClientTerminal, type PtyWorld } from './helpers.js';

let world: PtyWorld | undefined;
const clients: ClientTerminal[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.kill();
  await world?.destroy();
  world = undefined;
});

const SHELLS = [
  { shell: 'bash', command: 'echo got-$((40+2))' },
  { shell: 'zsh', command: 'echo got-$((40+2))' },
  { shell: 'fish', command: 'echo got-(math 40+2)' },
] as const;

describe.each(SHELLS)('shell integration in a hosted $shell', ({ shell, command }) => {
  const path = findExecutable(shell, process.env.PATH);
  it.skipIf(!path)('knows the last command (trusted by its nonce) and the cwd, with no rc file edited', async () => {
    world = ptyWorld({ SHELL: path! });
    const w = world;
    const dir = join(w.home, 'somewhere');
    mkdirSync(dir);
    expect((await w.cli(['new', shell, '-d', '--cwd', dir])).code).toBe(0);
    const c = clientTerminal(w, ['attach', shell]);
    clients.push(c);
    await c.waitForText(/[$#>] $/m, 20_000);
    c.type(`${command}\r`);
    await c.waitForText('got-42');
    await c.settle();
    // A clean stop writes the final checkpoint (the shell stays with the keeper).
    const host = (await w.hostPid())!;
    process.kill(host, 'SIGTERM');
    await waitFor(async () => {
      const r = (await savedPtySessions(w.stateDir)).find((s) => s.name === shell);
      return r?.lastCommand?.commandLine === command ? r : undefined;
    }, 20_000, 'the checkpoint to hold the last command');
    const saved = (await savedPtySessions(w.stateDir)).find((s) => s.name === shell)!;
    expect(saved.lastCommand).toMatchObject({ commandLine: command, trusted: true, exitCode: 0 });
    expect(saved.cwd.path).toBe(dir);
  }, 90_000);
});

describe('no tmux', () => {
  it('new, list, peek and kill work with tmux missing from PATH, saying at most one quiet line', async () => {
    const bin = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'tsession-notmux-'));
    for (const tool of ['bash', 'sh', 'env', 'sleep', 'cat']) {
      const p = findExecutable(tool, process.env.PATH);
      if (p) symlinkSync(p, join(bin, tool));
    }
    world = ptyWorld({ PATH: bin });
    const w = world;
    const made = await w.cli(['new', 'plain', '-d']);
    expect(made).toMatchObject({ code: 0, stderr: '' });
    const list = await w.cli(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/plain\s+running\s+pty/);
    expect(list.stderr.trim().split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
    expect(list.stderr).not.toMatch(/\bat \w+ \(/); // no stack
    expect((await w.cli(['peek', 'plain'])).code).toBe(0);
    expect(await w.cli(['kill', 'plain', '--yes'])).toMatchObject({ code: 0, stderr: '' });
  }, 60_000);
});
