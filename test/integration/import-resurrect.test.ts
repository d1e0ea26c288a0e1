/**
 * `tsession import resurrect` on real tmux-resurrect saves (fixtures/resurrect,
 * see PROVENANCE.md), then `tsession restore` on an isolated server: layout,
 * cwds, names, titles, zoom and contents come back; saved commands are typed,
 * never run; a hostile save runs nothing.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { createTestServer, waitFor } from '../helpers/tmux-server.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'resurrect');
// The directories the fixtures were saved in (fixtures/resurrect/make-basic.sh, make-hostile.py).
const BASE = '/tmp/tsession-resurrect-fixture';
const HOSTILE = '/tmp/tsession-resurrect-hostile';

/** The fixture's window lines: session, index, name, layout. */
function fixtureWindows(): { session: string; index: string; name: string; layout: string }[] {
  const file = join(FIXTURES, 'basic', readlinkSync(join(FIXTURES, 'basic', 'last')));
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('window\t'))
    .map((l) => {
      const f = l.split('\t');
      return { session: f[1]!, index: f[2]!, name: f[3]!.slice(1), layout: f[6]! };
    });
}

const register = cleanupAfterEach();

beforeAll(() => {
  for (const d of ['api/src', 'dir with space', 'logs', 'notes']) mkdirSync(join(BASE, d), { recursive: true });
  mkdirSync(HOSTILE, { recursive: true });
});
afterAll(() => {
  rmSync(HOSTILE, { recursive: true, force: true });
});

describe('tsession import resurrect', () => {
  it("imports resurrect's last save from its default directory and restores it: layout, cwds, names, titles, contents; commands typed, not run", async () => {
    const server = createTestServer();
    register(() => server.kill());
    // resurrect's default: $XDG_DATA_HOME/tmux/resurrect (here under the private HOME), `last` a symlink.
    const dir = join(server.home, '.local', 'share', 'tmux', 'resurrect');
    mkdirSync(dir, { recursive: true });
    cpSync(join(FIXTURES, 'basic'), dir, { recursive: true, verbatimSymlinks: true });

    const imp = await runCli(server, ['import', 'resurrect', '--json']);
    expect(imp.stderr).toBe('');
    expect(imp.code).toBe(0);
    const res = JSON.parse(imp.stdout) as { sessions: string[]; panes: number; contents: number; notes: string[]; file: string };
    expect(res.sessions).toEqual(['api', 'db', 'api-view']);
    expect(res.panes).toBe(7);
    expect(res.contents).toBe(7);
    expect(res.notes).toEqual([]);
    expect(res.file).toMatch(/tmux_resurrect_\d{8}T\d{6}\.txt$/);

    const r = await runCli(server, ['restore']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('restored api (3 windows');
    expect(r.stdout).toMatch(/will type \(press Enter to run\) in .*tail -f todo\.txt \.\.\/notes\/todo\.txt/);

    const windows = server.tmux('list-windows', '-a', '-F', '#{session_name}\t#{window_index}\t#{window_name}\t#{window_layout}\t#{window_zoomed_flag}\t#{window_active}');
    for (const w of fixtureWindows()) {
      const row = windows.split('\n').find((l) => l.startsWith(`${w.session}\t${w.index}\t`));
      expect(row, `window ${w.session}:${w.index}`).toBeDefined();
      const [, , name, layout] = row!.split('\t');
      if (w.name !== 'tail') expect(name).toBe(w.name); // window 1 renames itself (automatic-rename)
      expect(layout).toBe(w.layout);
    }
    expect(windows).toMatch(/^api\t2\tnotes\t.*\t1\t0$/m); // zoomed, not the current window
    expect(windows).toMatch(/^api\t0\teditor\t.*\t0\t1$/m);
    const panes = server.tmux('list-panes', '-a', '-F', '#{session_name}:#{window_index}.#{pane_index}\t#{pane_current_path}\t#{pane_title}\t#{pane_active}');
    const pane = (key: string) => panes.split('\n').find((l) => l.startsWith(`${key}\t`))?.split('\t');
    expect(pane('api:0.0')?.slice(1, 3)).toEqual([`${BASE}/api`, 'pane api:0.0']);
    expect(pane('api:0.1')?.slice(1)).toEqual([`${BASE}/api/src`, 'pane api:0.1', '1']);
    expect(pane('api:0.2')?.[1]).toBe(`${BASE}/dir with space`);
    expect(pane('db:0.0')?.[1]).toBe(`${BASE}/notes`);
    expect(server.tmux('display-message', '-p', '-t', 'api-view', '#{session_group}')).toBe('api\n');

    // Contents from the archive are shown above the prompt; the typed command sits unrun.
    await waitFor(() => server.tmux('capture-pane', '-p', '-t', 'api:0.0').includes('resurrect-contents api:0.0'), 20_000, 'contents');
    await waitFor(() => server.tmux('capture-pane', '-p', '-t', 'api:1.0').includes('tail -f todo.txt ../notes/todo.txt'), 20_000, 'typed command');
    expect(server.tmux('display-message', '-p', '-t', 'api:1.0', '#{pane_current_command}').trim()).not.toBe('tail');
  }, 90_000);

  it('a hostile save runs nothing: names, paths and commands stay text, the archive is read, never extracted, and its terminal queries dropped', async () => {
    const server = createTestServer();
    register(() => server.kill());
    const file = join(FIXTURES, 'hostile', 'tmux_resurrect_20240101T000000.txt');
    const imp = await runCli(server, ['import', 'resurrect', file, '--json']);
    expect(imp.code).toBe(0);
    const res = JSON.parse(imp.stdout) as { sessions: string[]; panes: number; contents: number; notes: string[] };
    expect(res.sessions).toEqual(['x;$(touch PWNED)`touch PWNED`']);
    expect(res.panes).toBe(3);
    expect(res.contents).toBe(1);
    expect(res.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^line 4 \(pane\): expected 11 fields, got 4; skipped$/),
        expect.stringMatching(/^line 5 \(pane\): expected an absolute directory/),
        expect.stringMatching(/1 line of no known type skipped/),
        expect.stringMatching(/:1: its layout is not one tmux accepts; tiled instead$/),
      ]),
    );

    const r = await runCli(server, ['restore']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('will type (press Enter to run)');
    expect(r.stdout).toContain(`is gone; starting in ${HOSTILE}`);
    const target = '=x;$(touch PWNED)`touch PWNED`';
    await waitFor(() => server.tmux('capture-pane', '-p', '-t', `${target}:0.0`).includes('red text kept'), 20_000, 'contents');
    // Split back into words and quoted for the shell: typed as text, `$(` never expanded.
    await waitFor(() => /vim '\$\(touch' 'PWNED\)'/.test(server.tmux('capture-pane', '-p', '-t', `${target}:1.0`)), 20_000, 'typed vim');
    const screen = server.tmux('capture-pane', '-p', '-e', '-t', `${target}:0.0`);
    expect(screen).toContain('clipboard dropped');
    expect(screen).toContain('queries dropped');
    expect(screen).not.toContain('52;');
    expect(server.tmux('display-message', '-p', '-t', `${target}:0.0`, '#{pane_title}')).toBe("t'itle $(touch PWNED)\n");
    // An allowlisted program (vim) from a file is typed, not run; nothing ran anywhere.
    expect(server.tmux('display-message', '-p', '-t', `${target}:1.0`, '#{pane_current_command}').trim()).not.toBe('vim');
    for (const d of [HOSTILE, server.home, process.cwd(), join(FIXTURES, '..')]) expect(existsSync(join(d, 'PWNED')), d).toBe(false);
    expect(existsSync(join(FIXTURES, '..', '..', 'escape-PWNED'))).toBe(false);
  }, 90_000);

  it("finds the save in the server's @resurrect-dir, expanding ~ like resurrect", async () => {
    const server = createTestServer();
    register(() => server.kill());
    const dir = join(server.home, 'saves', 'resurrect');
    mkdirSync(dir, { recursive: true });
    cpSync(join(FIXTURES, 'basic'), dir, { recursive: true, verbatimSymlinks: true });
    server.tmux('new-session', '-d', '-s', 'running');
    server.tmux('set', '-g', '@resurrect-dir', '~/saves/resurrect');
    const imp = await runCli(server, ['import', 'resurrect', '--json']);
    expect(imp.code).toBe(0);
    expect((JSON.parse(imp.stdout) as { file: string }).file.startsWith(`${dir}/tmux_resurrect_`)).toBe(true);
  }, 60_000);

  it('says where it looked when there is no save, and refuses a file that is not a save (exit 2, one line)', async () => {
    const server = createTestServer();
    register(() => server.kill());
    const none = await runCli(server, ['import', 'resurrect']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^tsession: No tmux-resurrect save found \(looked for .*\/\.tmux\/resurrect\/last and .*\/tmux\/resurrect\/last\); name the save file/);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    const bad = await runCli(server, ['import', 'resurrect', join(FIXTURES, 'PROVENANCE.md')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^tsession: Expected .*PROVENANCE\.md to be a tmux-resurrect save with pane lines, found none/);
    const what = await runCli(server, ['import', 'continuum']);
    expect(what.code).toBe(2);
    expect(what.stderr).toContain('Expected what to import from (resurrect), got "continuum"');
  }, 60_000);
});
