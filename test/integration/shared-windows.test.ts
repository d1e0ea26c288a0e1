/**
 * Session groups and linked windows through the real CLI on an isolated
 * server: a restore builds a shared window once, makes grouped sessions
 * members of the group again and links linked windows, so the server ends
 * with the same windows shared the same way (not copies with extra shells).
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { normalizeLayout } from '../../sessions/live/compare.js';
import { runCli } from '../helpers/cli.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';

let server: TestServer;
const dir = tempDir('tsession-shared-');
const env = { TSESSION_STATE_DIR: join(dir.path, 'state') };

/** Per window link: session:index, group, flags, pane count, layout (without pane ids). */
const dump = () =>
  server
    .tmux('list-windows', '-a', '-F', '#{session_name}:#{window_index} group=#{session_group} active=#{window_active} panes=#{window_panes} #{window_layout}')
    .trim()
    .split('\n')
    .map((l) => l.replace(/\S+$/, (layout) => normalizeLayout(layout)));

/** Which window links show the same window: sets of session:index sharing an id. */
const sharing = () => {
  const byId = new Map<string, string[]>();
  for (const l of server.tmux('list-windows', '-a', '-F', '#{window_id} #{session_name}:#{window_index}').trim().split('\n')) {
    const [id, at] = l.split(' ');
    byId.set(id!, [...(byId.get(id!) ?? []), at!]);
  }
  return [...byId.values()].map((v) => v.sort().join(' ')).sort();
};

const shellsUp = () =>
  waitFor(() => server.tmux('list-panes', '-a', '-F', '#{cursor_x}').trim().split('\n').every((x) => x !== '0'), 20_000, 'every shell at its prompt');

beforeAll(async () => {
  server = createTestServer();
  server.tmux('new-session', '-d', '-s', 'main', '-x', '100', '-y', '30');
  server.tmux('new-window', '-t', 'main');
  server.tmux('split-window', '-t', 'main:1');
  server.tmux('new-session', '-d', '-t', 'main', '-s', 'view');
  server.tmux('select-window', '-t', 'view:0');
  server.tmux('new-session', '-d', '-s', 'other', '-x', '100', '-y', '30');
  server.tmux('link-window', '-s', 'main:1', '-t', 'other:5');
  await shellsUp();
}, 30_000);
afterAll(() => {
  server.kill();
  dir.cleanup();
});

it('a restore brings back the group and the linked window, built once', async () => {
  const before = dump();
  const shared = sharing();
  expect(shared).toContain('main:1 other:5 view:1');
  const panesBefore = server.tmux('list-panes', '-a', '-F', '#{pane_pid}').trim().split('\n');
  expect(new Set(panesBefore).size).toBe(4);

  const saved = await runCli(server, ['save'], env);
  expect(saved.code).toBe(0);
  server.tmux('kill-server');
  const r = await runCli(server, ['restore'], env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);

  expect(dump()).toEqual(before);
  expect(sharing()).toEqual(shared);
  // Four shells, as before: nothing was built twice.
  expect(new Set(server.tmux('list-panes', '-a', '-F', '#{pane_pid}').trim().split('\n')).size).toBe(4);
}, 60_000);

it('a grouped session restored alone joins its running group', async () => {
  const before = dump();
  server.tmux('kill-session', '-t', 'view');
  const r = await runCli(server, ['restore', 'view'], env);
  expect(r.code).toBe(0);
  expect(dump()).toEqual(before);
  expect(sharing()).toContain('main:1 other:5 view:1');
}, 60_000);

it('--as makes a copy with its own windows, never a member of the running group', async () => {
  const r = await runCli(server, ['restore', 'view', '--as', 'view-copy'], env);
  expect(r.code).toBe(0);
  expect(r.stdout + r.stderr).toContain('a copy (--as)');
  const copy = dump().filter((l) => l.startsWith('view-copy:'));
  expect(copy).toEqual([expect.stringMatching(/^view-copy:0 group= active=1 panes=1 /), expect.stringMatching(/^view-copy:1 group= active=0 panes=2 /)]);
  expect(sharing().some((g) => g.includes('view-copy:') && g.includes(' '))).toBe(false);
  server.tmux('kill-session', '-t', 'view-copy');
}, 60_000);

it('with no member of its group left, it is built on its own with its windows', async () => {
  server.tmux('kill-server');
  const r = await runCli(server, ['restore', 'view'], env);
  expect(r.code).toBe(0);
  await shellsUp();
  expect(dump()).toEqual([
    expect.stringMatching(/^view:0 group= active=1 panes=1 /),
    expect.stringMatching(/^view:1 group= active=0 panes=2 /),
  ]);
}, 60_000);

it('a session whose only window is linked comes back linked, also on a server that renumbers windows', async () => {
  server.tmux('kill-server');
  // The killed server may still hold its socket for a moment.
  await waitFor(() => server.tmuxTry('new-session', '-d', '-s', 'a', '-x', '100', '-y', '30').status === 0, 10_000, 'a new server');
  server.tmux('new-window', '-t', 'a');
  server.tmux('new-session', '-d', '-s', 'mirror', '-x', '100', '-y', '30');
  server.tmux('link-window', '-k', '-s', 'a:1', '-t', 'mirror:0');
  await shellsUp();
  const before = dump();
  const shared = sharing();
  expect(shared).toContain('a:1 mirror:0');
  expect((await runCli(server, ['save'], env)).code).toBe(0);
  server.tmux('kill-server');
  const conf = join(dir.path, 'renumber.conf');
  writeFileSync(conf, 'set -g base-index 1\nset -g renumber-windows on\n');
  // Named: a bare restore would also bring back the earlier tests' sessions (every saved session comes back).
  const r = await runCli(server, ['-f', conf, 'restore', 'a', 'mirror'], env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(dump()).toEqual(before);
  expect(sharing()).toEqual(shared);
  // No stand-in left behind: three pane rows, mirror:0's being a:1's pane.
  expect(server.tmux('list-panes', '-a', '-F', '#{pane_id}').trim().split('\n')).toHaveLength(3);
}, 60_000);
