/**
 * The restore op against a real tmux server: one journal line per restore,
 * written by the op whoever calls it; a failed restore is journaled as
 * failed (then thrown); a dry run journals nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestoreError } from '../../sessions/restore/transaction.js';
import { createContext, type Context } from '../../src/context.js';
import { EXIT } from '../../src/exit-codes.js';
import type { JournalRecord, JournalSink } from '../../src/ops/journal.js';
import { restore, restoreNewest } from '../../src/ops/restore.js';
import { saveCheckpoint } from '../../src/ops/save.js';
import { UserError } from '../../src/user-error.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';

let s: TestServer;
let state: { path: string; cleanup: () => void };
let ctx: Context;
let checkpointId: string;

/** A sink that keeps what it was given, one array per call. */
function recorder(): { sink: JournalSink; calls: JournalRecord[][] } {
  const calls: JournalRecord[][] = [];
  return { calls, sink: async (entries) => (calls.push([...entries]), null) };
}

const contextFor = (stateDir: string): Context => createContext({ socketName: s.name, stateDir, json: false, debug: false }, s.env);

beforeAll(async () => {
  s = createTestServer();
  state = tempDir('tsession-ops-restore-');
  ctx = contextFor(state.path);
  for (const name of ['kept', 'lost']) {
    s.tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', '-c', s.home);
    await waitFor(() => s.tmux('list-panes', '-t', `=${name}`, '-F', '#{cursor_x}').trim() !== '0', 10_000, 'shell prompt');
  }
  const saved = await saveCheckpoint(ctx);
  if (saved.kind !== 'saved') throw new Error(`Expected a save, got ${saved.kind}`);
  checkpointId = saved.id;
  s.tmux('kill-session', '-t', '=lost');
});

afterAll(() => {
  s?.kill();
  state?.cleanup();
});

const body = async () => {
  const r = await (await ctx.store()).read(checkpointId);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.body;
};

describe('restore op', () => {
  it('a dry run journals nothing', async () => {
    const { sink, calls } = recorder();
    const { result, journalProblem } = await restore(ctx, { checkpoint: await body(), sessions: [], replace: false, noCommands: true, dryRun: true }, { cause: 'test', journal: sink });
    expect(result.plan.build.length).toBeGreaterThan(0);
    expect(journalProblem).toBeNull();
    expect(calls).toEqual([]);
  });

  it('journals what came back, once, with the cause', async () => {
    const { sink, calls } = recorder();
    const { result } = await restore(ctx, { checkpoint: await body(), sessions: [], replace: false, noCommands: true, dryRun: false }, { cause: 'a test (by hand)', journal: sink });
    expect(result.restored.map((r) => r.name)).toEqual(['lost']);
    expect(calls).toEqual([[expect.objectContaining({ kind: 'action', what: 'restore', result: 'ok', cause: 'a test (by hand)', detail: `lost from ${checkpointId}` })]]);
    expect(s.tmuxTry('has-session', '-t', '=lost').status).toBe(0);
  });

  it('journals a refused restore as failed, then throws its typed error', async () => {
    const { sink, calls } = recorder();
    const run = restore(ctx, { checkpoint: await body(), sessions: ['kept'], replace: false, noCommands: true, dryRun: false }, { cause: 'test', journal: sink });
    await expect(run).rejects.toBeInstanceOf(RestoreError);
    await expect(run).rejects.toMatchObject({ kind: 'exists' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual([expect.objectContaining({ what: 'restore', result: 'failed', cause: 'test' })]);
    expect(calls[0]![0]!.detail).toMatch(/kept/);
  });

  it('restoreNewest with no checkpoint: journaled as failed, a UserError with EXIT.noCheckpoint', async () => {
    const empty = tempDir('tsession-ops-empty-');
    try {
      const { sink, calls } = recorder();
      const run = restoreNewest(contextFor(empty.path), { cause: 'server crashed', journal: sink });
      await expect(run).rejects.toBeInstanceOf(UserError);
      await expect(run).rejects.toMatchObject({ exitCode: EXIT.noCheckpoint, message: expect.stringMatching(/^No good checkpoint for tmux server /) });
      expect(calls).toEqual([[expect.objectContaining({ what: 'restore', result: 'failed', cause: 'server crashed' })]]);
    } finally {
      empty.cleanup();
    }
  });

  it('restoreNewest restores from the newest good checkpoint and names it', async () => {
    s.tmux('kill-session', '-t', '=lost');
    const { sink, calls } = recorder();
    const r = await restoreNewest(ctx, { cause: 'server crashed', journal: sink });
    expect(r.checkpointId).toBe(checkpointId);
    expect(r.result.restored.map((x) => x.name)).toEqual(['lost']);
    expect(calls).toEqual([[expect.objectContaining({ what: 'restore', result: 'ok', detail: `lost from ${checkpointId}` })]]);
  });
});
