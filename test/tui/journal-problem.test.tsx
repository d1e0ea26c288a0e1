/**
 * A journal the interface cannot write is said on its status line, not
 * swallowed: a real restore through the real services (isolated tmux
 * server, a directory standing where the journal file belongs), driven by
 * keys in the App.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context.js';
import { JOURNAL_FILE } from '../../src/ops/journal.js';
import { saveCheckpoint } from '../../src/ops/save.js';
import { createServices } from '../../src/tui/services.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { renderApp } from './helpers/render-app.js';

let s: TestServer;
let state: { path: string; cleanup: () => void };
let ctx: Context;

beforeAll(async () => {
  s = createTestServer();
  state = tempDir('tsession-tui-journal-');
  ctx = createContext({ socketName: s.name, stateDir: state.path, json: false, debug: false }, s.env);
  for (const name of ['kept', 'lost']) {
    s.tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', '-c', s.home);
    await waitFor(() => s.tmux('list-panes', '-t', `=${name}`, '-F', '#{cursor_x}').trim() !== '0', 10_000, 'shell prompt');
  }
  expect((await saveCheckpoint(ctx)).kind).toBe('saved');
  s.tmux('kill-session', '-t', '=lost');
  mkdirSync(join(ctx.storeDir, JOURNAL_FILE)); // the journal cannot be written
});

afterEach(() => cleanup());
afterAll(() => {
  s?.kill();
  state?.cleanup();
});

describe('a journal the interface cannot write', () => {
  it('restore: the services say so in the result', async () => {
    const services = createServices(ctx, { worker: false });
    const cp = (await services.quick()).checkpoints[0]!;
    const r = await services.restore({ checkpointId: cp.id, sessions: ['lost'], replace: false }, false, () => {});
    expect(r.ok).toBe(true);
    expect(r.message).toMatch(new RegExp(`^cannot write the journal in ${ctx.storeDir}: .*EISDIR.* — restored lost \\(1 window, 1 pane\\) — from the checkpoint of \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$`));
    s.tmux('kill-session', '-t', '=lost');
  });

  it('restore from the App: the status line shows it', async () => {
    const services = createServices(ctx, { worker: false });
    const app = renderApp({ initial: await services.quick(), initialSelected: 'lost' }, services as never);
    await app.waitFrame(/▶ lost/, 5_000);
    await app.press('r');
    await app.waitFrame(/Restore lost\?/, 5_000);
    await app.press('y');
    const f = await app.waitFrame(/cannot write the journal/, 15_000);
    // The status line (one terminal line, cut to the width): the problem comes first, so it is never the part cut off.
    const status = f.split('\n').find((l) => l.includes('cannot write the journal'))!;
    expect(status.startsWith(` cannot write the journal in ${ctx.storeDir.slice(0, 40)}`)).toBe(true);
    services.close?.();
  });
});
