/**
 * The daemon's save callback with a fake save use case: what it asks the
 * save for (the last fingerprint; shell facts only while panes are
 * followed), what it journals (a skip once per reason, nothing for an
 * unchanged server), and the /proc floor it hands the pane registry.
 */
import { describe, expect, it } from 'vitest';
import type { PaneRegistry } from '../../sessions/shell-integration/pane-registry.js';
import type { Context } from '../../src/context.js';
import type { JournalEntry } from '../../src/ops/journal.js';
import { createSaveCallback, procFloor } from '../../src/daemon/save-callback.js';
import type { DaemonUseCases } from '../../src/daemon/use-cases.js';

type SaveOptions = NonNullable<Parameters<DaemonUseCases['save']>[1]>;
type SaveResult = Awaited<ReturnType<DaemonUseCases['save']>>;

function setup(results: SaveResult[], panes: PaneRegistry | null = null) {
  const calls: SaveOptions[] = [];
  const entries: Omit<JournalEntry, 'at'>[] = [];
  const save: DaemonUseCases['save'] = async (_ctx, options = {}) => {
    calls.push(options);
    options.onFingerprint?.(`fp${calls.length}`);
    const r = results.shift();
    if (!r) throw new Error('tmux went away');
    return r;
  };
  const run = createSaveCallback({} as Context, (e) => entries.push(e), () => panes, save);
  return { run, calls, entries };
}

const saved = (id: string): SaveResult => ({ kind: 'saved', id, path: `/x/${id}.json`, bytes: 1, sessions: 1, panes: 2, timings: {} });

describe('createSaveCallback', () => {
  it('journals a written save, passes its fingerprint to the next, and says nothing for an unchanged server', async () => {
    const { run, calls, entries } = setup([saved('c1'), { kind: 'unchanged' }, saved('c3')]);
    await run(['watch attached']);
    await run(['interval']);
    await run(['window-add', 'layout-change']);
    expect(calls.map((c) => c.unlessFingerprint)).toEqual([undefined, 'fp1', 'fp1']);
    expect(entries.map((e) => `${e.what}:${e.result}:${e.cause}:${e.detail}`)).toEqual([
      'save:ok:watch attached:c1 (1 session, 2 panes)',
      'save:ok:window-add, layout-change:c3 (1 session, 2 panes)',
    ]);
  });

  it('says a skip once per reason, and a failure with its message', async () => {
    const skip = (reason: string): SaveResult => ({ kind: 'skipped', reason });
    const { run, entries } = setup([skip('only a start-up shell'), skip('only a start-up shell'), skip('other'), saved('c4'), skip('other')]);
    for (let i = 0; i < 6; i++) await run(['interval']);
    expect(entries.map((e) => `${e.result}:${e.detail}`)).toEqual([
      'skipped:only a start-up shell',
      'skipped:other',
      'ok:c4 (1 session, 2 panes)',
      'skipped:other',
      'failed:tmux went away',
    ]);
  });

  it('asks for shell facts only while panes are followed, and forgets panes the save did not see', async () => {
    const none = setup([saved('c1')]);
    await none.run(['x']);
    expect(none.calls[0]!.lastCommandOf).toBeUndefined();
    expect(none.calls[0]!.cwdOf).toBeUndefined();

    const kept: string[][] = [];
    const floors: unknown[] = [];
    const panes = {
      lastCommand: () => undefined,
      cwd: (_p: unknown, floor: unknown) => (floors.push(floor), { path: '/from/markers', source: 'osc7' as const }),
      keepOnly: (ids: ReadonlySet<string>) => kept.push([...ids]),
    } as unknown as PaneRegistry;
    let cwd: unknown;
    const save: DaemonUseCases['save'] = async (_ctx, options = {}) => {
      options.lastCommandOf?.({ id: '%1', pid: 11 });
      options.lastCommandOf?.({ id: '%2', pid: 12 });
      cwd = options.cwdOf?.({ id: '%1', pid: 11, currentPath: '/t' } as never, { shellArgv: ['sh'], shellCwd: '/p', job: null });
      return saved('c2');
    };
    await createSaveCallback({} as Context, () => {}, () => panes, save)(['x']);
    expect(kept).toEqual([['%1', '%2']]);
    expect(cwd).toEqual({ path: '/from/markers', source: 'osc7' });
    expect(floors).toEqual([{ source: 'proc', cwd: '/p', argv: null }]);
  });
});

describe('procFloor', () => {
  const pane = { currentPath: '/tmux/says' };
  it('is /proc when it read the shell, with argv null for a shell idle at its prompt', () => {
    expect(procFloor(pane, { shellArgv: ['bash'], shellCwd: '/home/a', job: null })).toEqual({ source: 'proc', cwd: '/home/a', argv: null });
  });
  it("gives a foreground job's argv, and leaves it unknown when /proc refused it", () => {
    const job = { pgid: 7, cwd: '/x', leaderAlive: true };
    expect(procFloor(pane, { shellArgv: ['bash'], shellCwd: '/home/a', job: { ...job, argv: ['vim'] } })).toEqual({ source: 'proc', cwd: '/home/a', argv: ['vim'] });
    expect(procFloor(pane, { shellArgv: ['bash'], shellCwd: '/home/a', job: { ...job, argv: null } })).toEqual({ source: 'proc', cwd: '/home/a' });
  });
  it("falls back to tmux's path without /proc", () => {
    expect(procFloor(pane, undefined)).toEqual({ source: 'tmux', cwd: '/tmux/says' });
    expect(procFloor({ currentPath: '' }, { shellArgv: null, shellCwd: null, job: null })).toEqual({ source: 'tmux', cwd: null });
  });
});
