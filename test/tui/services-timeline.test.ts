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
    await new Journal(ctx.storeDir).append({ kind: 'action', what: 'save', result: 'ok', cause: 'window-add', detail: `${second} (1 session, 2 panes)`, durationMs: 12 });
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

  // One rule (src/ops/timeline.ts causeOf): tsession checkpoints (CAUSE column, --json) and the timeline agree.
  it('gives the same causes, in the same words, as tsession checkpoints', async () => {
    s.tmux('new-session', '-d', '-s', 'web', '-x', '80', '-y', '24', '-c', s.home);
    await waitFor(() => s.tmux('list-panes', '-t', '=web', '-F', '#{cursor_x}').trim() !== '0', 10_000, 'shell prompt');
    // A store of its own: its first checkpoint is older than its journal's first line.
    const own = tempDir('tsession-tui-causes-');
    ctx = createContext({ socketName: s.name, stateDir: own.path, json: false, debug: false }, s.env);
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
    const cli = await runCli(s, ['--state-dir', own.path, '--json', 'checkpoints']);
    expect(cli.code).toBe(0);
    const listed = JSON.parse(cli.stdout) as { id: string; cause: string }[];
    expect(Object.fromEntries(listed.map((e) => [e.id, e.cause]))).toEqual(expected);
    const text = await runCli(s, ['--state-dir', own.path, 'checkpoints']);
    expect(text.stdout.split('\n').find((l) => l.includes(afterRestore))).toMatch(/\safter a restore\s/);

    const services = createServices(ctx, { worker: false });
    try {
      const snap = await services.quick();
      const t = await services.timeline('web', snap.checkpoints.filter((e) => e.sessions.includes('web')));
      if (typeof t === 'string') throw new Error(t);
      expect(Object.fromEntries(t.map((e) => [e.id, CAUSE_WORDS[e.cause]]))).toEqual(expected);
    } finally {
      services.close?.();
      own.cleanup();
    }
  });
});
