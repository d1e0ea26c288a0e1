/**
 * Failures a user can meet, through the real CLI: each gives one actionable
 * line on stderr, no stack, a documented exit code, and loses nothing.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';

const afterTest = cleanupAfterEach();

function setup(): { server: TestServer; dir: string; env: NodeJS.ProcessEnv } {
  const server = createTestServer();
  const dir = tempDir('tsession-err-');
  afterTest(() => server.kill(), dir.cleanup);
  return { server, dir: dir.path, env: { TSESSION_STATE_DIR: join(dir.path, 'state') } };
}

/** One line, no stack trace. */
function expectOneLine(r: CliResult): void {
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(lines[0]).toMatch(/^tsession: /);
}

async function startSession(server: TestServer, name = 'main'): Promise<void> {
  server.tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24');
  await waitFor(() => server.tmux('list-panes', '-t', `=${name}`, '-F', '#{cursor_x}').trim() !== '0', 10_000, 'shell prompt');
}

describe('CLI errors', () => {
  it('tmux not installed: exit 3, one line', async () => {
    const { server, env } = setup();
    const r = await runCli(server, ['save'], { ...env, PATH: '/nonexistent' });
    expect(r.code).toBe(3);
    expectOneLine(r);
    expect(r.stderr).toContain('tmux is not installed');
  });

  it('tmux older than 3.2: exit 3 naming the version', async () => {
    const { server, dir, env } = setup();
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'tmux'), '#!/bin/sh\nif [ "$1" = -V ]; then echo "tmux 2.9"; exit 0; fi\necho "no server running on /x" >&2\nexit 1\n');
    chmodSync(join(bin, 'tmux'), 0o755);
    await startSession(server, 'old');
    expect((await runCli(server, ['save'], env)).code).toBe(0);
    server.tmux('kill-server');
    const r = await runCli(server, ['restore'], { ...env, PATH: `${bin}:${process.env.PATH}` });
    expect(r.code).toBe(3);
    expectOneLine(r);
    expect(r.stderr).toContain('Expected tmux 3.2 or newer, got 2.9');
  });

  it('no server, and a stale socket after the server was SIGKILLed: exit 3', async () => {
    const { server, env } = setup();
    const none = await runCli(server, ['save'], env);
    expect(none.code).toBe(3);
    expectOneLine(none);
    expect(none.stderr).toMatch(/No tmux server -L \S+ .* is running/);
    await startSession(server);
    const pid = Number(server.tmux('display', '-p', '#{pid}').trim());
    process.kill(pid, 'SIGKILL');
    await waitFor(() => server.tmuxTry('ls').status !== 0, 5_000, 'server gone');
    const stale = await runCli(server, ['save'], env);
    expect(stale.code).toBe(3);
    expectOneLine(stale);
  });

  it('a stopped (hung) server: exit 3 within the timeout, and the server survives', async () => {
    const { server, env } = setup();
    await startSession(server);
    const pid = Number(server.tmux('display', '-p', '#{pid}').trim());
    process.kill(pid, 'SIGSTOP');
    try {
      const t0 = Date.now();
      const r = await runCli(server, ['save'], env);
      expect(r.code).toBe(3);
      expectOneLine(r);
      expect(r.stderr).toContain('did not answer');
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(server.tmux('ls')).toContain('main');
  }, 30_000);

  it('unknown session, existing session, --as and --replace', async () => {
    const { server, env } = setup();
    await startSession(server, 'keep');
    expect((await runCli(server, ['save'], env)).code).toBe(0);
    const unknown = await runCli(server, ['restore', 'nope'], env);
    expect(unknown.code).toBe(2);
    expectOneLine(unknown);
    const exists = await runCli(server, ['restore', 'keep'], env);
    expect(exists.code).toBe(6);
    expectOneLine(exists);
    expect(exists.stderr).toContain('--replace');
    const copy = await runCli(server, ['restore', 'keep', '--as', 'keep-copy'], env);
    expect(copy.code).toBe(0);
    expect(server.tmux('ls', '-F', '#{session_name}').split('\n').filter(Boolean).sort()).toEqual(['keep', 'keep-copy']);
    const idOf = (n: string) => server.tmux('ls', '-F', '#{session_name} #{session_id}').split('\n').find((l) => l.startsWith(`${n} `));
    const oldId = idOf('keep');
    expect(oldId).toBeTruthy();
    const replaced = await runCli(server, ['restore', 'keep', '--replace'], env);
    expect(replaced.code).toBe(0);
    const newId = idOf('keep');
    expect(newId).toBeTruthy();
    expect(newId).not.toBe(oldId);
  }, 30_000);

  it('--dry-run prints the tmux commands and changes nothing', async () => {
    const { server, env } = setup();
    await startSession(server, 'dry');
    expect((await runCli(server, ['save'], env)).code).toBe(0);
    // 'other' first: killing the only session makes the server exit, and a new-session racing that exit fails.
    server.tmux('new-session', '-d', '-s', 'other');
    server.tmux('kill-session', '-t', '=dry');
    const before = server.tmux('list-panes', '-a', '-F', '#{session_name} #{pane_id}');
    const r = await runCli(server, ['restore', '--dry-run'], env);
    expect(r.code).toBe(0);
    // The pane had contents: it starts behind the gate and reports its terminal.
    expect(r.stdout).toMatch(/^tmux -L \S+ new-session -d -P -F .*tsession-gate:0 .* -s tsession-restore-.* sh -c .*tsession-gate/m);
    expect(r.stdout).toMatch(/^tmux -L \S+ rename-session .* -- dry$/m);
    expect(server.tmux('list-panes', '-a', '-F', '#{session_name} #{pane_id}')).toBe(before);
  });

  it('an unusable state dir: exit 4, one line', async () => {
    const { server, dir } = setup();
    await startSession(server);
    writeFileSync(join(dir, 'file'), 'not a dir');
    const r = await runCli(server, ['save'], { TSESSION_STATE_DIR: join(dir, 'file', 'state') });
    expect(r.code).toBe(4);
    expectOneLine(r);
  });

  it('a state dir under a file: checkpoints exits 4 with one line, list says saved sessions are not shown', async () => {
    const { server, dir } = setup();
    await startSession(server);
    writeFileSync(join(dir, 'file'), 'not a dir');
    const env = { TSESSION_STATE_DIR: join(dir, 'file', 'state') };
    const r = await runCli(server, ['checkpoints'], env);
    expect(r.code).toBe(4);
    expectOneLine(r);
    expect(r.stderr).toMatch(/part of the state dir's path is a file, not a directory \(ENOTDIR\)/);
    const l = await runCli(server, ['list'], env);
    expect(l.code).toBe(0);
    expect(l.stderr).toMatch(/saved sessions not shown: .*ENOTDIR/);
  });

  it('a corrupt newest checkpoint: restore falls back loudly (exit 10), --verify says which', async () => {
    const { server, env } = setup();
    await startSession(server, 'fall');
    const first = (await runCli(server, ['save'], env)).stdout.trim();
    const second = (await runCli(server, ['save'], env)).stdout.trim();
    expect(first).not.toBe(second);
    const cpDir = findCheckpointDir(env.TSESSION_STATE_DIR!);
    const newest = join(cpDir, `${second}.json`);
    writeFileSync(newest, readFileSync(newest, 'utf8').slice(0, 100));
    server.tmux('kill-server');
    const r = await runCli(server, ['restore'], env);
    expect(r.code).toBe(10);
    expect(r.stderr).toContain(second);
    expect(r.stdout).toContain('restored fall');
    const verify = await runCli(server, ['checkpoints', '--verify', '--json'], env);
    expect(verify.code).toBe(5);
    const rows = JSON.parse(verify.stdout) as { id: string; valid: boolean }[];
    expect(rows.find((x) => x.id === second)?.valid).toBe(false);
    expect(rows.find((x) => x.id === first)?.valid).toBe(true);
  }, 30_000);

  it('ten saves at once: ten valid checkpoints and a consistent index', async () => {
    const { server, env } = setup();
    await startSession(server, 'many');
    const results = await Promise.all(Array.from({ length: 10 }, () => runCli(server, ['save'], env)));
    expect(results.map((r) => r.code)).toEqual(Array(10).fill(0));
    const ids = new Set(results.map((r) => r.stdout.trim()));
    expect(ids.size).toBe(10);
    const listed = await runCli(server, ['checkpoints', '--verify', '--json'], env);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as { id: string; valid: boolean }[];
    expect(new Set(rows.map((r) => r.id))).toEqual(ids);
    expect(rows.every((r) => r.valid)).toBe(true);
  }, 60_000);

  it('a full disk: exit 4, the previous checkpoint intact', async (ctx) => {
    const { server, dir } = setup();
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
    if (m.status !== 0) {
      console.log(`skipped: cannot mount a tmpfs here (${String(m.stderr).trim()})`);
      ctx.skip();
      return;
    }
    afterTest(() => void spawnSync('umount', ['-l', mnt]));
    const env = { TSESSION_STATE_DIR: join(mnt, 'state') };
    await startSession(server, 'disk');
    const first = await runCli(server, ['save'], env);
    expect(first.code).toBe(0);
    // Fill the rest of the disk.
    spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'fill')}`, 'bs=4k'], { stdio: 'ignore' });
    server.tmux('new-window', '-t', '=disk:');
    const r = await runCli(server, ['save'], env);
    expect(r.code).toBe(4);
    expectOneLine(r);
    expect(r.stderr).toMatch(/full|ENOSPC/);
    const verify = await runCli(server, ['checkpoints', '--verify', '--json'], env);
    const rows = JSON.parse(verify.stdout) as { id: string; valid: boolean }[];
    expect(rows.find((x) => x.id === first.stdout.trim())?.valid).toBe(true);
  }, 30_000);
});

function findCheckpointDir(stateDir: string): string {
  const servers = join(stateDir, 'servers');
  const [slug] = readdirSync(servers);
  return join(servers, slug!, 'checkpoints');
}

