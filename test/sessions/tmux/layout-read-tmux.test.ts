/**
 * readLayout against a real isolated server: sessions, windows and panes come
 * from three lists in one tmux call and are joined back; every value is
 * checked against tmux's own per-pane answer, including a window linked into
 * two sessions and names holding newlines, tabs, `|` and non-ASCII.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeLayout, buildServer, readLayout } from '../../../sessions/tmux/layout-read.js';
import { resolveServer } from '../../../sessions/tmux/server.js';
import { createTestServer, type TestServer } from '../../helpers/tmux-server.js';

let server: TestServer;
beforeAll(() => {
  server = createTestServer();
  // Targets by id: tmux's target syntax cannot name a session holding a newline.
  const b = server.tmux('new-session', '-d', '-P', '-F', '#{session_id}', '-s', 'b\tname\nline ü', '-x', '120', '-y', '40').trim();
  server.tmux('split-window', '-h', '-t', `${b}:0`);
  server.tmux('new-window', '-d', '-t', `${b}:5`, '-n', 'w:5 | x');
  server.tmux('new-session', '-d', '-s', 'a', '-x', '100', '-y', '30');
  server.tmux('select-pane', '-t', '=a:0.0', '-T', 'title\twith tab');
  // Window 5 of the first session also becomes window 3 of "a".
  server.tmux('link-window', '-s', `${b}:5`, '-t', '=a:3');
  // And twice into one session: each link lists the same panes.
  server.tmux('link-window', '-s', `${b}:5`, '-t', `${b}:7`);
});
afterAll(() => server.kill());

it('matches what tmux reports pane by pane, linked windows under each session', async () => {
  const spec = resolveServer({ socketName: server.name }, server.env, process.getuid?.() ?? 0);
  const live = await readLayout(spec, { env: server.env });
  const fmt = '#{session_name}\x1f#{window_index}\x1f#{window_name}\x1f#{window_layout}\x1f#{window_active}\x1f#{pane_id}\x1f#{pane_index}\x1f#{pane_pid}\x1f#{pane_title}\x1f#{pane_width}';
  const expected = server
    .tmux('list-panes', '-a', '-F', `${fmt}\x1e`)
    .split('\x1e\n')
    .filter(Boolean)
    .map((l) => l.split('\x1f'));
  const got = live.sessions.flatMap((s) =>
    s.windows.flatMap((w) =>
      w.panes.map((p) => [s.name, String(w.index), w.name, w.layout, w.active ? '1' : '0', p.id, String(p.index), String(p.pid), p.title, String(p.width)]),
    ),
  );
  expect(got).toEqual(expected);
  // tmux itself stores the tab and newline of a session name escaped (\t, \n).
  expect(live.sessions.map((s) => s.name)).toEqual(['a', 'b\\tname\\nline ü']);
  const linkedInA = live.sessions[0]!.windows.find((w) => w.index === 3)!;
  const original = live.sessions[1]!.windows.find((w) => w.index === 5)!;
  expect(linkedInA.id).toBe(original.id);
  expect(linkedInA.panes.map((p) => p.id)).toEqual(original.panes.map((p) => p.id));
  const twice = live.sessions[1]!.windows.find((w) => w.index === 7)!;
  expect(twice.id).toBe(original.id);
  expect(twice.panes.map((p) => p.id)).toEqual(original.panes.map((p) => p.id));
  expect(live.version).toMatch(/\d+\.\d+/);
  expect(live.pid).toBeGreaterThan(0);
});

it('a record of an unknown kind or a short field is an error naming the byte', () => {
  expect(() => decodeLayout(Buffer.from('X 1 2\n'))).toThrow(/Expected a known record tag/);
  expect(() => decodeLayout(Buffer.from('S 3.3a 1 $0 0 0 0 9:/tmp/x\n'))).toThrow(/Expected a length-prefixed field/);
  // Panes of a window no session lists are dropped, not invented.
  const live = buildServer(decodeLayout(Buffer.from('P $9 4 %1 0 1 0 80 24 123 /dev/pts/1 0 0 0 off 0:0:\n')), '/s');
  expect(live.sessions).toEqual([]);
});

it('reads the pane options a restore brings back, only those that are on', () => {
  const rows = (sync: string, remain: string) =>
    buildServer(decodeLayout(Buffer.from(`S 3.3a 1 $0 0 0 0 6:/tmp/x1:a0:\nW $0 @0 0 on b25d,80x24,0,0,0 1 0 0 80 24 1:w\nP $0 0 %0 0 1 0 80 24 123 /dev/pts/1 0 0 ${sync} ${remain} 0:0:\n`)), '/s')
      .sessions[0]!.windows[0]!.panes[0]!;
  expect(rows('1', 'failed').options).toEqual({ synchronizePanes: true, remainOnExit: 'failed' });
  expect(rows('0', 'on').options).toEqual({ remainOnExit: 'on' });
  expect(rows('0', 'off').options).toBeUndefined();
  // A value a later tmux may add is left out, not guessed.
  expect(rows('0', 'key').options).toBeUndefined();
});
