/**
 * Pane contents are captured for every pane of a real server, not only the
 * first few: pane ids like %12 must survive the marker lines.
 */
import { afterAll, expect, it } from 'vitest';
import { capturePanes } from '../../../sessions/tmux/capture.js';
import { readLayout } from '../../../sessions/tmux/layout-read.js';
import { createTestServer, waitFor } from '../../helpers/tmux-server.js';

const server = createTestServer();
afterAll(() => server.kill());

it('captures each of 14 panes with its own text', async () => {
  server.tmux('new-session', '-d', '-s', 'cap', '-x', '200', '-y', '60');
  for (let i = 1; i < 14; i++) {
    server.tmux('split-window', '-t', 'cap', '-c', '/');
    server.tmux('select-layout', '-t', 'cap', 'tiled');
  }
  const spec = { socketPath: server.tmux('display', '-p', '#{socket_path}').trim(), label: server.name };
  const live = await readLayout(spec, { env: server.env });
  const panes = live.sessions.flatMap((s) => s.windows.flatMap((w) => w.panes));
  expect(panes).toHaveLength(14);
  await waitFor(() => server.tmux('list-panes', '-a', '-F', '#{cursor_x}').split('\n').filter((l) => l && l !== '0').length === 14, 15_000, 'shells');
  for (const p of panes) {
    server.tmux('send-keys', '-t', p.id, '-l', `echo mark-${p.id.slice(1)}-x`);
    server.tmux('send-keys', '-t', p.id, 'Enter');
  }
  await waitFor(() => panes.every((p) => server.tmux('capture-pane', '-p', '-t', p.id).includes(`\nmark-${p.id.slice(1)}-x`)), 15_000, 'echo output');
  const got = await capturePanes(spec, panes, 100, { env: server.env });
  expect([...got.keys()].sort()).toEqual(panes.map((p) => p.id).sort());
  for (const p of panes) expect(got.get(p.id)?.normal).toContain(`\nmark-${p.id.slice(1)}-x`);
}, 60_000);
