/**
 * The refresh lists PTY sessions without starting a PTY host: with none
 * running, the listing says so (from the PTY checkpoint) and no host or
 * keeper appears; with one running, its sessions are in the snapshot.
 * After `r` revives sessions whose host and keeper were killed, the next
 * refresh lists them as running (that the screen repaints is
 * signature.test.ts's part).
 * Real host, real tmux server (isolated), private HOME/XDG world.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { ptyAccessOf } from '../../src/ops/pty-client.js';
import { revivePtySessions, savedPtySessions } from '../../src/ops/pty-sessions.js';
import { createRefresher } from '../../src/tui/refresher.js';
import { CLI } from '../helpers/cli.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { killServer } from '../helpers/teardown.js';
import { ptyWorld, type PtyWorld } from '../pty/helpers.js';
import { requireBuild } from './helpers/tui-pane.js';

let s: TestServer;
let world: PtyWorld;

beforeAll(() => {
  requireBuild();
  s = createTestServer();
  world = ptyWorld();
});

afterAll(async () => {
  await killServer(s);
  await world?.destroy();
});

describe('the refresh and PTY sessions', () => {
  it('lists none without starting a host, then lists a running one', async () => {
    const ctx = createContext({ socketName: s.name, configFile: '/dev/null', json: false, debug: false }, { ...s.env, ...world.env });
    const refresher = createRefresher(ctx);
    const before = await refresher.refresh();
    expect(before.pty).toEqual({ hostRunning: false, sessions: [] });
    expect(await world.hostPid()).toBeNull();
    expect(await world.keeperPid()).toBeNull();
    const made = await world.cli(['new', '-d', 'work', '--', 'sleep', '600']);
    expect(made.code, made.stderr).toBe(0);
    const after = await refresher.refresh();
    expect(after.pty?.hostRunning).toBe(true);
    expect(after.pty?.sessions.map((p) => [p.name, p.kind])).toEqual([['work', 'running']]);
    // The journal panel shows the PTY host's lines too, marked, in time order with the server's.
    const journal = after.journal ?? [];
    expect(journal.find((e) => e.what === 'session-new')).toMatchObject({ source: 'pty', result: 'ok' });
    expect(journal.every((e) => e.source === undefined || e.source === 'pty')).toBe(true);
    expect(journal.map((e) => e.at)).toEqual([...journal.map((e) => e.at)].sort());
  }, 60_000);

  it('the refresh after a revive lists the sessions as running', async () => {
    const ctx = createContext({ socketName: s.name, configFile: '/dev/null', json: false, debug: false }, { ...s.env, ...world.env });
    const refresher = createRefresher(ctx);
    expect((await world.cli(['new', '-d', 'revived'])).code).toBe(0);
    await waitFor(async () => (await savedPtySessions(world.stateDir)).some((r) => r.name === 'revived'), 20_000, 'revived checkpointed');
    const host = (await world.hostPid())!;
    const keeper = (await world.keeperPid())!;
    process.kill(host, 'SIGKILL');
    process.kill(keeper, 'SIGKILL');
    const down = await waitFor(
      async () => (await refresher.refresh()).pty?.sessions.find((p) => p.name === 'revived' && p.kind === 'revivable'),
      20_000,
      'revived listed as revivable',
    );
    // Its shell is gone: no pid is shown for it (the old one may belong to another process by now).
    expect(down.pid).toBeNull();
    await revivePtySessions(ptyAccessOf(ctx, [process.execPath, CLI]));
    const after = await refresher.refresh();
    expect(after.pty?.sessions.find((p) => p.name === 'revived')?.kind).toBe('running');
  }, 90_000);
});
