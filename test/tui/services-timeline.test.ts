/**
 * The real services' timeline on a real isolated server and store: causes
 * from the journal the watch daemon writes (a save it journaled is "after a
 * change", one it did not is "by hand"), the change since the checkpoint
 * before, programs and pane counts — read from the checkpoint files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context.js';
import { Journal } from '../../src/ops/journal.js';
import { saveCheckpoint } from '../../src/ops/save.js';
import { createServices } from '../../src/tui/services.js';
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
  state = tempDir('tsession-tui-timeline-');
  ctx = createContext({ socketName: s.name, stateDir: state.path, json: false, debug: false }, s.env);
});

afterAll(() => {
  s?.kill();
  state?.cleanup();
});

describe('the timeline from real checkpoints and the journal', () => {
  it('says why each was taken and what changed since the one before', async () => {
    s.tmux('new-session', '-d', '-s', 'api', '-x', '80', '-y', '24', '-c', s.home);
    await waitFor(() => s.tmux('list-panes', '-t', '=api', '-F', '#{cursor_x}').trim() !== '0', 10_000, 'shell prompt');
    const first = await saved();
    s.tmux('new-window', '-t', '=api', '-n', 'logs', '-c', s.home);
    const second = await saved();
    // As the watch daemon journals its saves: the second one, after a window-add.
    await new Journal(ctx.storeDir).append({ kind: 'action', what: 'save', result: 'ok', cause: 'window-add', detail: `${second} (1 session(s), 2 pane(s))`, durationMs: 12 });
    const services = createServices(ctx, { worker: false });
    try {
      const snap = await services.quick();
      const entries = snap.checkpoints.filter((e) => e.sessions.includes('api'));
      expect(entries.map((e) => e.id)).toEqual([second, first]);
      const t = await services.timeline('api', entries);
      if (typeof t === 'string') throw new Error(t);
      expect(t.map((e) => [e.cause, e.panes, e.changes?.map((c) => c.text) ?? null])).toEqual([
        ['change', 2, ['+window logs']],
        ['by-hand', 1, null],
      ]);
      expect(t.every((e) => e.suspect === null)).toBe(true);
    } finally {
      services.close?.();
    }
  });
});
