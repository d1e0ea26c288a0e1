/**
 * The end of a restore (finish.ts) may run in a background typist long
 * after the restore returned. Pane ids are per server: once the restore's
 * server has ended, a new server on the same socket hands out the same ids,
 * so the finish must send nothing more — not a deferred Enter, not a pane
 * option. Real tmux; the "ended" server is a pid that is not tmux's.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finishRestore, type RestoreFinish } from '../../../sessions/restore/finish.js';
import type { ServerSpec } from '../../../sessions/tmux/server.js';
import { createTestServer, waitFor, type TestServer } from '../../helpers/tmux-server.js';
import { cleanupAfterEach } from '../../helpers/teardown.js';

const afterTest = cleanupAfterEach();

function spec(server: TestServer): ServerSpec {
  return { socketPath: join(`${(process.env.TMUX_TMPDIR || '/tmp').replace(/\/+$/, '')}/tmux-${process.getuid?.() ?? 0}`, server.name), label: `-L ${server.name}` };
}

async function twoPanes(): Promise<{ server: TestServer; panes: string[]; pid: number }> {
  const server = createTestServer();
  afterTest(() => server.kill());
  server.tmux('new-session', '-d', '-s', 'next', '-x', '80', '-y', '24');
  server.tmux('split-window', '-t', '=next:0');
  const panes = server.tmux('list-panes', '-t', '=next:0', '-F', '#{pane_id}').trim().split('\n');
  for (const p of panes) await waitFor(() => server.tmux('display', '-p', '-t', p, '#{cursor_x}').trim() !== '0', 10_000, `a prompt in ${p}`);
  const pid = Number(server.tmux('display', '-p', '#{pid}').trim());
  return { server, panes, pid };
}

const finish = (panes: string[], serverPid: number): RestoreFinish => ({
  jobs: [],
  deferredGates: [panes[1]!],
  paneOptions: [['set-option', '-p', '-t', panes[0]!, 'remain-on-exit', 'on']],
  serverPid,
});

describe('finishing a restore', () => {
  it('sends nothing once the restore’s server has ended, though a server on the socket has panes with the same ids', async () => {
    const { server, panes } = await twoPanes();
    const notes: string[] = [];
    // This test process is alive but is not a tmux server: the restore's server is gone.
    const done = await finishRestore(finish(panes, process.pid), { server: spec(server), env: server.env }, notes);
    expect(done.stopped).toBe(true);
    expect(notes).toEqual(['the tmux server ended before the restore was finished; nothing more was sent to it']);
    await new Promise((r) => setTimeout(r, 500)); // past the deferred Enter's 0.1 s and the options' 0.2 s
    expect(server.tmux('capture-pane', '-p', '-t', panes[1]!).trimEnd().split('\n')).toHaveLength(1);
    expect(server.tmux('show-options', '-pv', '-t', panes[0]!, 'remain-on-exit').trim()).toBe('');
  }, 60_000);

  it('on the restore’s own server, presses the deferred Enter and sets the pane options', async () => {
    const { server, panes, pid } = await twoPanes();
    const notes: string[] = [];
    const done = await finishRestore(finish(panes, pid), { server: spec(server), env: server.env }, notes);
    expect(done.stopped).toBe(false);
    expect(notes).toEqual([]);
    await waitFor(() => server.tmux('capture-pane', '-p', '-t', panes[1]!).trimEnd().split('\n').length === 2, 10_000, 'a second prompt after the Enter');
    await waitFor(() => server.tmux('show-options', '-pv', '-t', panes[0]!, 'remain-on-exit').trim() === 'on', 10_000, 'remain-on-exit on');
  }, 60_000);
});
