/**
 * End to end in a real terminal: fixture sessions on an isolated server are
 * checkpointed and one is killed; `tsession` runs in a pane of a second
 * isolated server. The screen shows the crashed badge, `r` + `y` brings the
 * session back on the first server with its layout, the result line shows,
 * and attaching then quitting leaves the terminal sane.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeLayout } from '../../sessions/live/compare.js';
import { readStat } from '../../sessions/proc/facts.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { killServer } from '../helpers/teardown.js';
import { CLI, requireBuild, tuiPane } from '../tui/helpers/tui-pane.js';

let a: TestServer;
let b: TestServer;
let state: { path: string; cleanup(): void };
let tui: ReturnType<typeof tuiPane>;

/** db's windows as "index name panes layout" lines, layout without pane ids. */
const windowsOf = (s: TestServer, session: string) =>
  s
    .tmux('list-windows', '-t', `=${session}`, '-F', '#{window_index} #{window_name} #{window_panes} #{window_layout}')
    .trim()
    .split('\n')
    .map((l) => {
      const [i, n, p, layout] = l.split(' ');
      return `${i} ${n} ${p} ${normalizeLayout(layout!)}`;
    });

beforeAll(async () => {
  requireBuild();
  a = createTestServer();
  b = createTestServer();
  state = tempDir('tsession-e2e-state-');
  a.tmux('new-session', '-d', '-s', 'api', '-x', '120', '-y', '30', '-n', 'edit');
  a.tmux('split-window', '-h', '-t', 'api:edit');
  a.tmux('new-window', '-t', 'api', '-n', 'logs');
  a.tmux('new-session', '-d', '-s', 'db', '-x', '120', '-y', '30', '-n', 'psql');
  a.tmux('split-window', '-v', '-t', 'db:psql');
  a.tmux('new-window', '-t', 'db', '-n', 'dump');
  a.tmux('new-session', '-d', '-s', 'web', '-x', '120', '-y', '30');
  await waitFor(() => a.tmux('list-panes', '-a', '-F', '#{cursor_x}').split('\n').filter((l) => l && l !== '0').length >= 7, 20_000, 'seven shells');
  execFileSync(process.execPath, [CLI, '-L', a.name, 'save'], { env: { ...a.env, TSESSION_STATE_DIR: state.path }, encoding: 'utf8', timeout: 30_000 });
}, 60_000);

afterAll(async () => {
  await killServer(b);
  await killServer(a);
  state?.cleanup();
});

describe('tsession in a real terminal', () => {
  it('shows the killed session as crashed; r + y restores it with its layout and a result line', async () => {
    const saved = windowsOf(a, 'db');
    a.tmux('kill-session', '-t', 'db');
    tui = tuiPane(b);
    await tui.start(a, { TSESSION_STATE_DIR: state.path, TSESSION_TUI_REFRESH_MS: '500' });
    await tui.waitScreen(/db\s+✗ crashed/);
    // Attachment has its own column: HEALTH says health.
    expect(tui.rowOf('api')).toMatch(/✓ healthy\s+2\s+3\s+no/);
    // Window and pane counts of a crashed session come from its checkpoint, read after the first frame.
    await tui.waitScreen(/db\s+✗ crashed\s+2\s+3\s+-/);
    // The badge is red as well as worded.
    expect(tui.capture(true)).toMatch(/\x1b\[[0-9;]*31m✗ crashed/);

    await tui.select('db');
    await tui.waitScreen(/Windows \(from the checkpoint of/);
    tui.press('r');
    await tui.waitScreen(/Restore db\?[\s\S]*db: 2 windows, 3 panes[\s\S]*\[y\] restore/);
    tui.press('y');
    const done = await tui.waitScreen(/restored db \(2 windows, 3 panes\) — from the checkpoint of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n socket/, 20_000);
    expect(done).toMatch(/db\s+✓ restored[\s\S]*✓ window 0: psql[\s\S]*✓ window 1: dump/);
    expect(windowsOf(a, 'db')).toEqual(saved);
    // Journaled as done by hand from the interface.
    const log = execFileSync(process.execPath, [CLI, '-L', a.name, 'log', '--json'], { env: { ...a.env, TSESSION_STATE_DIR: state.path }, encoding: 'utf8', timeout: 30_000 });
    expect(log.trim().split('\n').map((l) => JSON.parse(l) as { what: string; cause: string; detail: string }).at(-1)).toMatchObject({
      what: 'restore',
      cause: 'the interface (by hand)',
      detail: expect.stringMatching(/^db from /),
    });
    await tui.waitScreen(/db\s+✓ healthy\s+2\s+3/);
  });

  it('s saves through the bin and says so; y shows and copies the new checkpoint id', async () => {
    tui.press('s');
    await tui.waitScreen(/saved a checkpoint: 3 sessions, 7 panes \(y copies its id\)/, 20_000);
    // The list shows the new checkpoint once refreshed; y names it.
    await tui.waitScreen(/▶ db\s+✓ healthy\s+2\s+3\s+\S+\s+[0-4]s ago/, 10_000);
    tui.press('y');
    const done = await tui.waitScreen(/copied: (\S+) \(/);
    const id = /copied: (\S+) \(/.exec(done)![1]!;
    const listed = execFileSync(process.execPath, [CLI, '-L', a.name, '--json', 'checkpoints'], {
      env: { ...a.env, TSESSION_STATE_DIR: state.path },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect((JSON.parse(listed) as { id: string; valid: boolean }[]).find((c) => c.id === id)).toMatchObject({ valid: true });
  });

  it('Enter attaches (tmux takes the terminal), detaching comes back, q leaves the terminal sane', async () => {
    await tui.select('web');
    tui.press('Enter');
    await waitFor(() => a.tmux('list-clients', '-F', '#{client_session}').trim() === 'web', 10_000, 'a client on web');
    // The pane now shows the first server's session, with its status line.
    await tui.waitScreen(/\[web\]/);
    a.tmux('detach-client', '-s', 'web');
    await tui.waitScreen(/▶ web/);
    expect(tui.terminalState().alternateScreen).toBe(true);
    tui.press('q');
    await tui.waitScreen(/TSESSION-EXIT=0/);
    expect(tui.terminalState()).toEqual({ cursorVisible: true, alternateScreen: false });
    // The marker is computed by the shell, so the echoed command line cannot match before the output is whole.
    tui.type("stty -a | tr ' ;' '\\n\\n' | grep -x -E -- '-?(icanon|echo|isig)' | tr '\\n' ' '; echo STTY-$((40 + 2))");
    const out = await tui.waitScreen(/STTY-42/);
    const line = out.split('\n').find((l) => /STTY-42/.test(l)) ?? '';
    expect(line).toMatch(/(^| )isig /);
    expect(line).toMatch(/(^| )icanon /);
    expect(line).toMatch(/(^| )echo /);
  });

  it('SIGTERM restores the terminal too', async () => {
    await tui.shellReady();
    tui.type(`env -u CI TSESSION_STATE_DIR='${state.path}' node '${CLI}' -L ${a.name}`);
    await tui.waitScreen(/tsession · tmux -L/);
    expect(tui.terminalState().alternateScreen).toBe(true);
    const pid = Number(b.tmux('display', '-p', '-t', 'tui', '#{pane_pid}').trim());
    // The tsession process is the shell's foreground job: its pgid is the pane tty's tpgid.
    const tpgid = readStat(pid)!.tpgid;
    process.kill(-tpgid, 'SIGTERM');
    await waitFor(() => !tui.terminalState().alternateScreen, 10_000, 'the normal screen back');
    expect(tui.terminalState()).toEqual({ cursorVisible: true, alternateScreen: false });
    tui.type("stty -a | tr ' ;' '\\n\\n' | grep -x -E -- '-?(icanon|echo)' | tr '\\n' ' '; echo STTY-$((40 + 3))");
    const out = await tui.waitScreen(/STTY-43/);
    const line = out.split('\n').find((l) => /STTY-43/.test(l)) ?? '';
    expect(line).toMatch(/(^| )icanon /);
    expect(line).toMatch(/(^| )echo /);
  });

  it('inside a client of the same server, Enter switches that client and the interface stays', async () => {
    // tsession runs in a pane of the first server itself; a person's client shows that pane.
    const inside = tuiPane(a, 'cockpit');
    b.tmux('new-session', '-d', '-s', 'viewer', '-x', '110', '-y', '32', `env -u TMUX tmux -L ${a.name} attach -t cockpit`);
    await waitFor(() => a.tmux('list-clients', '-F', '#{client_session}').includes('cockpit'), 10_000, 'a client on cockpit');
    await inside.start(a, { TSESSION_STATE_DIR: state.path });
    await inside.select('web');
    inside.press('Enter');
    await waitFor(() => a.tmux('list-clients', '-F', '#{client_session}').trim() === 'web', 10_000, 'the client switched to web');
    await inside.waitScreen(/switched this client to web/);
    inside.press('q');
    await inside.waitScreen(/TSESSION-EXIT=0/);
    b.tmux('kill-session', '-t', 'viewer');
  });

  it('on a pipe, bare tsession prints the list and exits 0', () => {
    const out = execFileSync(process.execPath, [CLI, '-L', a.name], { env: { ...a.env, TSESSION_STATE_DIR: state.path }, encoding: 'utf8', timeout: 30_000, stdio: ['pipe', 'pipe', 'pipe'] });
    expect(out).toMatch(/^SESSION\s+HEALTH\s+KIND\s+WINDOWS\s+PANES\s+ATTACHED\s+CHECKPOINT\napi\s+healthy\s+tmux/);
  });
});
