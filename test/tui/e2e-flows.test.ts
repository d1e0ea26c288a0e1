/**
 * End to end in a real terminal (tsession in a pane of a second isolated
 * tmux server, driven with send-keys): R asks once for sessions from two
 * checkpoints and Esc cancels all of it; `a` restores a copy under a typed
 * name; `y` inside tmux fills a paste buffer; replacing the very session
 * the interface runs in (issue 11, defect 7) finishes without the
 * interface — journaled, every pane at its real shell, none left at the
 * restore's gate.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { killServer } from '../helpers/teardown.js';
import { CLI, requireBuild, tuiPane } from './helpers/tui-pane.js';

let a: TestServer;
let b: TestServer;
let state: { path: string; cleanup(): void };

const cli = (s: TestServer, ...args: string[]) =>
  execFileSync(process.execPath, [CLI, '-L', s.name, ...args], { env: { ...s.env, TSESSION_STATE_DIR: state.path }, encoding: 'utf8', timeout: 30_000 });
/** The journal's entries (`log --json`: one document, or JSON Lines). */
const journal = (s: TestServer): { what: string; result?: string; detail?: string }[] => {
  const out = cli(s, 'log', '-n', '0', '--json').trim();
  if (!out) return [];
  try {
    const doc = JSON.parse(out) as unknown;
    if (Array.isArray(doc)) return doc;
    const inner = (doc as { entries?: unknown }).entries;
    return Array.isArray(inner) ? inner : [doc as never];
  } catch {
    return out.split('\n').map((l) => JSON.parse(l) as never);
  }
};
const sessions = (s: TestServer) => (s.tmuxTry('list-sessions', '-F', '#{session_name}').stdout.trim().split('\n').filter(Boolean));
const shellsReady = (s: TestServer, n: number) =>
  waitFor(() => s.tmux('list-panes', '-a', '-F', '#{cursor_x}').split('\n').filter((l) => l && l !== '0').length >= n, 20_000, `${n} shells at their prompt`);

beforeAll(() => {
  requireBuild();
  a = createTestServer();
  b = createTestServer();
  state = tempDir('tsession-e2e-flows-');
});

afterAll(async () => {
  await killServer(b);
  await killServer(a);
  state?.cleanup();
});

describe('flows in a real terminal', () => {
  it('R: one question for sessions of two checkpoints; Esc cancels all; y restores all', async () => {
    a.tmux('new-session', '-d', '-s', 'keep', '-x', '120', '-y', '30');
    a.tmux('new-session', '-d', '-s', 'one', '-x', '120', '-y', '30');
    await shellsReady(a, 2);
    cli(a, 'save', 'keep', 'one');
    a.tmux('new-session', '-d', '-s', 'two', '-x', '120', '-y', '30', '-n', 'logs');
    await shellsReady(a, 3);
    cli(a, 'save', 'two');
    a.tmux('kill-session', '-t', '=one');
    a.tmux('kill-session', '-t', '=two');
    const tui = tuiPane(b, 'r-all');
    await tui.start(a, { TSESSION_STATE_DIR: state.path, TSESSION_TUI_REFRESH_MS: '500' });
    await tui.waitScreen(/two\s+✗ crashed/);
    tui.press('R');
    const asked = await tui.waitScreen(/Restore (one, two|two, one)\?/);
    expect(asked).toMatch(/From the checkpoint of[\s\S]*From the checkpoint of/);
    tui.press('Escape');
    await tui.waitScreen(/restore cancelled: nothing was restored/);
    expect(sessions(a).sort()).toEqual(['keep']);
    tui.press('R');
    await tui.waitScreen(/Restore (one, two|two, one)\?/);
    tui.press('y');
    // Under their own names: a session is built under a temporary one, then renamed.
    await waitFor(() => sessions(a).sort().join(' ') === 'keep one two', 20_000, 'one and two back under their names');
    // The batch is over (the header no longer says it is restoring), and it asked once: no second question came up.
    await waitFor(() => /restored (one|two)[^\n]*\n socket/.test(tui.screen()) && !/restoring…/.test(tui.screen().split('\n')[0]!), 20_000, 'the batch to end');
    expect(tui.screen()).not.toMatch(/\[y\] restore/);
    tui.press('q');
    await tui.waitScreen(/TSESSION-EXIT=0/);
  });

  it('a: restores a copy under the typed name beside the running session', async () => {
    const tui = tuiPane(b, 'copy');
    await tui.start(a, { TSESSION_STATE_DIR: state.path, TSESSION_TUI_REFRESH_MS: '500' });
    await tui.select('two');
    tui.press('a');
    await tui.waitScreen(/Restore a copy of two as:[\s\S]*> two-copy/);
    // Typed faster than a frame: the name and Enter in one read.
    b.tmux('send-keys', '-t', 'copy', '-l', '\x7f\x7f\x7f\x7fold\r');
    await tui.waitScreen(/Restore two as two-old\?/);
    tui.press('y');
    await waitFor(() => sessions(a).includes('two-old'), 20_000, 'the copy two-old');
    expect(sessions(a)).toContain('two');
    expect(a.tmux('list-windows', '-t', '=two-old', '-F', '#{window_name}').trim()).toBe('logs');
    // q waits for the restore to end (the result line), or it is refused.
    await tui.waitScreen(/restored two-old \(1 window, 1 pane\)/);
    tui.press('q');
    await tui.waitScreen(/TSESSION-EXIT=0/);
  });

  it("replacing the interface's own session: warned, restored by a detached process, journaled, no pane left at the gate", async () => {
    // The cockpit session holds the interface's pane and a second window; it is saved before the interface starts.
    const tui = tuiPane(a, 'cockpit');
    a.tmux('new-window', '-d', '-t', 'cockpit', '-n', 'work');
    a.tmux('split-window', '-d', '-t', 'cockpit:work');
    await shellsReady(a, sessions(a).length + 2);
    cli(a, 'save', 'cockpit');
    a.tmux('kill-pane', '-t', 'cockpit:work.1');
    const before = journal(a).length;
    await tui.start(a, { TSESSION_STATE_DIR: state.path, TSESSION_TUI_REFRESH_MS: '500' });
    await tui.select('cockpit');
    // Inside tmux, y also puts the id in a paste buffer of the server the interface runs in.
    tui.press('y');
    const copied = /copied: (\S+) \(/.exec(await tui.waitScreen(/copied: \S+ \(/))![1]!;
    await waitFor(() => a.tmuxTry('show-buffer').stdout === copied, 10_000, 'the id in the tmux buffer');
    tui.press('r');
    await tui.waitScreen(/Replace cockpit\?[\s\S]*This interface runs in cockpit: it closes with it/);
    tui.press('y');
    // The session is rebuilt as saved: two windows, the work window with its two panes again.
    await waitFor(() => a.tmuxTry('list-panes', '-t', '=cockpit:work', '-F', '#{pane_id}').stdout.trim().split('\n').length === 2, 30_000, 'cockpit:work with 2 panes');
    // Every pane ends at its real shell (bash), none at the gate's sh showing saved contents.
    await waitFor(
      () => a.tmux('list-panes', '-s', '-t', '=cockpit', '-F', '#{pane_current_command}').trim().split('\n').every((c) => c === 'bash'),
      20_000,
      'every cockpit pane at bash',
    );
    // The restore finished on its own and was journaled.
    const log = await waitFor(() => journal(a).slice(before).find((e) => e.what === 'restore'), 20_000, 'a restore in the journal');
    expect(log).toMatchObject({ what: 'restore', result: 'ok', detail: expect.stringMatching(/^cockpit from /) });
  }, 90_000);
});
