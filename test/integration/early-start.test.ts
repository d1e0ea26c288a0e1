/**
 * The bin starts a save's tmux layout read before it loads the command line
 * (src/early.ts) and hands it over: argv splitting, which argv start a read,
 * and, through the real bin with a logging tmux first on PATH, that a save
 * asks tmux for the layout exactly once.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalOptionsOf, splitCommand } from '../../src/cli/argv.js';
import { startEarlyWork } from '../../src/cli/early.js';
import { runCli } from '../helpers/cli.js';
import { createTestServer, tempDir, type TestServer } from '../helpers/tmux-server.js';

describe('splitCommand', () => {
  it('finds the command after global options and their values', () => {
    expect(splitCommand(['-L', 'work', 'save', 'api'])).toEqual({ name: 'save', rest: ['-L', 'work', 'api'] });
    expect(splitCommand(['--state-dir', '/s', '--json', 'restore', '--all'])).toEqual({ name: 'restore', rest: ['--state-dir', '/s', '--json', '--all'] });
    expect(splitCommand(['--json'])).toEqual({ name: undefined, rest: ['--json'] });
  });

  it('a server named like a command is a value, the next word the command', () => {
    expect(splitCommand(['-L', 'save', 'list'])).toEqual({ name: 'list', rest: ['-L', 'save'] });
    // Same word twice: the value at index 1, the command at index 2.
    expect(splitCommand(['-L', 'save', 'save'])).toEqual({ name: 'save', rest: ['-L', 'save'] });
  });

  it('global options map to the context options', () => {
    expect(globalOptionsOf({ socket: 'w', 'state-dir': '/s', json: true })).toEqual({ socketName: 'w', stateDir: '/s', json: true, debug: false });
  });
});

describe('startEarlyWork', () => {
  let server: TestServer;
  beforeAll(() => {
    server = createTestServer();
    server.tmux('new-session', '-d', '-s', 'early', '-x', '80', '-y', '24');
  });
  afterAll(() => server.kill());

  it('starts nothing for other commands, help, or version', () => {
    expect(startEarlyWork(['-L', server.name, 'list'], server.env)).toEqual({});
    expect(startEarlyWork(['-L', server.name, 'save', '--help'], server.env)).toEqual({});
    expect(startEarlyWork(['-L', server.name, '-V', 'save'], server.env)).toEqual({});
    expect(startEarlyWork([], server.env)).toEqual({});
  });

  it('for a save, reads the layout of the server argv selects', async () => {
    const early = startEarlyWork(['--json', '-L', server.name, 'save', 'early'], server.env);
    expect(early.layoutRead?.server.socketPath.endsWith(`/${server.name}`)).toBe(true);
    const live = await early.layoutRead!.layout;
    expect(live.sessions.map((s) => s.name)).toEqual(['early']);
  });

  it('a read for a server that is not running fails inside the promise, not the bin', async () => {
    const early = startEarlyWork(['-L', `${server.name}-absent`, 'save'], server.env);
    await expect(early.layoutRead!.layout).rejects.toThrow();
  });
});

describe('through the bin', () => {
  let server: TestServer;
  const dir = tempDir('tsession-early-');
  const log = join(dir.path, 'tmux.log');
  beforeAll(() => {
    server = createTestServer();
    server.tmux('new-session', '-d', '-s', 'one', '-x', '80', '-y', '24');
    // A tmux that logs its argv and runs the real one (test-only wrapper).
    const wrapper = join(dir.path, 'tmux');
    writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec /usr/bin/env PATH='${process.env.PATH}' tmux "$@"\n`);
    chmodSync(wrapper, 0o755);
  });
  afterAll(() => {
    server.kill();
    dir.cleanup();
  });

  it('a save asks tmux for the layout once: the read the bin started is the one used', async () => {
    const r = await runCli(server, ['--state-dir', join(dir.path, 'state'), 'save', '--json'], { PATH: `${dir.path}:${process.env.PATH}` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ saved: true, sessions: 1, panes: 1 });
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls.filter((c) => c.includes('list-panes -a'))).toHaveLength(1);
  });
});
