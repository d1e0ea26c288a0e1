/**
 * Why each checkpoint was taken has one rule (src/ops/timeline.ts causeOf):
 * `tsession checkpoints` (its CAUSE column and --json) and the interface's
 * timeline say the same words for the same checkpoints, on a real server,
 * store and journal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context.js';
import { Journal } from '../../src/ops/journal.js';
import { saveCheckpoint } from '../../src/ops/save.js';
import { CAUSE_WORDS } from '../../src/ops/timeline.js';
import { createServices } from '../../src/tui/services.js';
import { runCli } from '../helpers/cli.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';

let s: TestServer;
let state: { path: string; cleanup: () => void };
let ctx: Context;

const saved = async () => {
  const r = await saveCheckpoint(ctx, { force: true });
  if (r.kind !== 'saved') throw new Error(`Expected a checkpoint, got ${r.kind}`);
  return r.id;
};

beforeAll(() => {
  s = createTestServer();
  state = tempDir('tsession-causes-');
  ctx = createContext({ socketName: s.name, stateDir: state.path, json: false, debug: false }, s.env);
});

afterAll(() => {
  s?.kill();
  state?.cleanup();
});

describe('checkpoint causes', () => {
  it('are the same words in tsession checkpoints and in the timeline', async () => {
    s.tmux('new-session', '-d', '-s', 'api', '-x', '80', '-y', '24', '-c', s.home);
    await waitFor(() => s.tmux('list-panes', '-t', '=api', '-F', '#{cursor_x}').trim() !== '0', 10_000, 'shell prompt');
    // Saved by hand before the journal's first line (the journal was never rotated: still by hand).
    const early = await saved();
    const journal = new Journal(ctx.storeDir);
    await journal.append({ kind: 'daemon', what: 'started' });
    const attached = await saved();
    await journal.append({ kind: 'action', what: 'save', result: 'ok', cause: 'watch attached', detail: `${attached} (1 session, 1 pane)`, durationMs: 5 });
    await journal.append({ kind: 'action', what: 'restore', result: 'ok', cause: 'tsession restore (by hand)', detail: 'api', durationMs: 50 });
    // The daemon's save of what the restore made: its notifications say window-add, but it follows a restore.
    const afterRestore = await saved();
    await journal.append({ kind: 'action', what: 'save', result: 'ok', cause: 'window-add, layout-change', detail: `${afterRestore} (1 session, 1 pane)`, durationMs: 5 });
    const byHand = await saved();

    const expected = { [byHand]: 'by hand', [afterRestore]: 'after a restore', [attached]: 'watch started', [early]: 'by hand' };
    const cli = await runCli(s, ['--state-dir', state.path, '--json', 'checkpoints']);
    expect(cli.code).toBe(0);
    const listed = JSON.parse(cli.stdout) as { id: string; cause: string }[];
    expect(Object.fromEntries(listed.map((e) => [e.id, e.cause]))).toEqual(expected);
    const text = await runCli(s, ['--state-dir', state.path, 'checkpoints']);
    expect(text.stdout.split('\n').find((l) => l.includes(afterRestore))).toMatch(/\safter a restore\s/);

    const services = createServices(ctx, { worker: false });
    try {
      const snap = await services.quick();
      const t = await services.timeline('api', snap.checkpoints.filter((e) => e.sessions.includes('api')));
      if (typeof t === 'string') throw new Error(t);
      expect(Object.fromEntries(t.map((e) => [e.id, CAUSE_WORDS[e.cause]]))).toEqual(expected);
    } finally {
      services.close?.();
    }
  });
});
