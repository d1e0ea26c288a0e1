/**
 * After `r` revives PTY sessions, the next refresh lists them as running
 * (that the screen then repaints is signature.test.ts's part). Real host
 * and keeper, killed (the shells with them), listed as revivable from the
 * checkpoint, then revived.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { ptyAccessOf } from '../../src/ops/pty-client.js';
import { revivePtySessions, savedPtySessions } from '../../src/ops/pty-sessions.js';
import { createRefresher } from '../../src/tui/refresher.js';
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

describe('reviving from the interface', () => {
  it('the refresh after a revive lists the sessions as running', async () => {
    const ctx = createContext({ socketName: s.name, configFile: '/dev/null', json: false, debug: false }, { ...s.env, ...world.env });
    const refresher = createRefresher(ctx);
    expect((await world.cli(['new', '-d', 'work'])).code).toBe(0);
    await waitFor(async () => (await savedPtySessions(world.stateDir)).some((r) => r.name === 'work'), 20_000, 'work checkpointed');
    const host = (await world.hostPid())!;
    const keeper = (await world.keeperPid())!;
    process.kill(host, 'SIGKILL');
    process.kill(keeper, 'SIGKILL');
    let kinds = '';
    await waitFor(async () => (kinds = JSON.stringify((await refresher.refresh()).pty)).includes('revivable'), 20_000, 'work revivable').catch((e: Error) => {
      throw new Error(`${e.message}: ${kinds}`);
    });
    await revivePtySessions(ptyAccessOf(ctx, [process.execPath, (await import('../helpers/cli.js')).CLI]));
    const after = await refresher.refresh();
    expect(after.pty?.sessions.map((p) => [p.name, p.kind])).toEqual([['work', 'running']]);
  }, 90_000);
});
